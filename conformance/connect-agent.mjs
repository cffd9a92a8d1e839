// Connect links through the gateway, as the official TypeScript SDK client meets them (DESIGN §13).
// One client declares URL elicitation and calls a tool of a connection that needs a person, through
// the connection's own endpoint and through /mcp/v1: both calls fail with UrlElicitationRequiredError
// carrying the same link. A second client, without the capability, reads the link from the tool
// result (isError). Then the script plays the person's browser on the hosted page (GET the page, POST
// its form with the secrets a person would type, follow the redirects) and every client retries in
// its own session, which now succeeds. Prints what it saw as JSON; ConnectLinkAgentTest checks it.
// With CONNECT_HANDOFF=<dir> a real browser completes the link instead: the script writes the link to
// <dir>/link and waits for <dir>/done.
// Usage: node connect-agent.mjs <plugboard base URL> <api key> <connection id> <slug> <tool> <arguments JSON>
// Env CONNECT_SECRETS: JSON {header: value} the person types on the page (a secrets reconnect).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, UrlElicitationRequiredError } from '@modelcontextprotocol/sdk/types.js';
import { existsSync, writeFileSync } from 'node:fs';
import { completeByHttp } from './person-page.mjs';

const [base, key, connectionId, slug, tool, argsJson] = process.argv.slice(2);
const args = JSON.parse(argsJson);
const secrets = JSON.parse(process.env.CONNECT_SECRETS ?? '{}');
const requestInit = { headers: { Authorization: `Bearer ${key}` } };

async function connect(path, capabilities) {
  const client = new Client({ name: 'plugboard-connect-agent', version: '1.0.0' }, { capabilities });
  if (capabilities.elicitation) {
    // A server may also send elicitation/create; the gateway answers with -32042 instead.
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'decline' }));
  }
  const transport = new StreamableHTTPClientTransport(new URL(base + path), { requestInit });
  await client.connect(transport);
  return { client, transport };
}

/** Calls the tool and returns the elicitations of the UrlElicitationRequiredError it must throw. */
async function elicitationsOf(client, name) {
  try {
    const result = await client.callTool({ name, arguments: args });
    throw new Error(`expected UrlElicitationRequiredError from ${name}, got ${JSON.stringify(result)}`);
  } catch (e) {
    if (!(e instanceof UrlElicitationRequiredError)) throw e;
    return e.elicitations;
  }
}

const out = {};
const perConnection = await connect(`/mcp/v1/connections/${connectionId}`, { elicitation: { url: {} } });
const aggregate = await connect('/mcp/v1', { elicitation: { url: {} } });
const plain = await connect('/mcp/v1', {});
out.perConnectionElicitations = await elicitationsOf(perConnection.client, tool);
out.aggregateElicitations = await elicitationsOf(aggregate.client, `${slug}__${tool}`);
out.plainResult = await plain.client.callTool({ name: `${slug}__${tool}`, arguments: args });
out.connectTool = (await plain.client.listTools()).tools.find((t) => t.name === 'plugboard__connect') ?? null;

const link = new URL(out.perConnectionElicitations[0].url);
if (process.env.CONNECT_HANDOFF) {
  // A real browser (driven by the test) completes the link: hand it over, wait until it is done.
  const dir = process.env.CONNECT_HANDOFF;
  writeFileSync(`${dir}/link`, link.href);
  const until = Date.now() + 120_000;
  while (!existsSync(`${dir}/done`)) {
    if (Date.now() > until) throw new Error('the browser did not complete the link within 120 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  out.browser = 'real';
} else {
  Object.assign(out, await completeByHttp(base, link, secrets));
  out.browser = 'http';
}

// Each client retries in the session it already has.
out.perConnectionRetry = await perConnection.client.callTool({ name: tool, arguments: args });
out.aggregateRetry = await aggregate.client.callTool({ name: `${slug}__${tool}`, arguments: args });
out.plainRetry = await plain.client.callTool({ name: `${slug}__${tool}`, arguments: args });
for (const c of [perConnection, aggregate, plain]) {
  await c.transport.terminateSession();
  await c.client.close();
}
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
