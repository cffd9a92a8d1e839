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

/**
 * The person's browser by plain HTTP, as a browser without JavaScript does it. The link's origin is the
 * configured public base URL; the script reaches the same path on the app it was given (in tests the
 * app listens elsewhere than its public URL).
 */
async function completeByHttp(link) {
  const cookies = new Map();
  function remember(response) {
    for (const c of response.headers.getSetCookie?.() ?? []) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const pageUrl = base + link.pathname;
  const page = await fetch(pageUrl, { redirect: 'manual' });
  remember(page);
  const html = await page.text();
  out.pageStatus = page.status;
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input\b[^>]*>/gi)) {
    const attr = (n) => (m[0].match(new RegExp(`\\b${n}="([^"]*)"`, 'i')) ?? [])[1];
    const name = attr('name');
    const type = (attr('type') ?? 'text').toLowerCase();
    if (!name) continue;
    if (type === 'hidden') form.append(name, attr('value')?.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>') ?? '');
    else if (name.startsWith('secret.')) form.append(name, secrets[name.slice('secret.'.length)] ?? '');
  }
  form.append('action', 'continue');
  let answer = await fetch(pageUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookieHeader(), Origin: new URL(base).origin },
    body: form.toString(),
  });
  remember(answer);
  const hops = [answer.status];
  for (let i = 0; i < 10 && answer.status >= 300 && answer.status < 400 && answer.headers.get('location'); i++) {
    let next = new URL(answer.headers.get('location'), pageUrl);
    if (next.origin === link.origin) next = new URL(next.pathname + next.search, base);
    answer = await fetch(next, { redirect: 'manual', headers: next.origin === new URL(base).origin ? { Cookie: cookieHeader() } : {} });
    remember(answer);
    hops.push(answer.status);
  }
  out.browserStatuses = hops;
  out.finalPage = (await answer.text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300);
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
  await completeByHttp(link);
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
