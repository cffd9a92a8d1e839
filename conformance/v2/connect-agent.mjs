// Connect links for a 2026-07-28 agent, as the v2 TypeScript SDK client meets them: pinned to
// 2026-07-28 and declaring URL elicitation, it calls a tool of a connection that needs a person. The
// gateway answers input_required with the link as a URL elicitation and a requestState of its own;
// the SDK hands the elicitation to this client's handler, which plays the person on the hosted page
// (plain HTTP) and accepts; the SDK then retries with the requestState, and the call reaches the
// connection's server. Once on /mcp/v1/connections/{a}, once on /mcp/v1 (<slug b>__<tool>).
// Prints what it saw as JSON; ModernConformanceTest checks it.
// Usage: node connect-agent.mjs <plugboard base URL> <api key> <connection a> <slug b> <tool> <arguments JSON> <secrets JSON>
//   secrets: {header: value}, what the person types on the page.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { completeByHttp } from '../person-page.mjs';

const [base, key, connectionId, slug, tool, argsJson, secretsJson] = process.argv.slice(2);
const args = JSON.parse(argsJson);
const secrets = JSON.parse(secretsJson ?? '{}');
const out = { elicitations: [], person: [] };

async function connect(path) {
  const client = new Client(
    { name: 'plugboard-v2-connect-agent', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } }, capabilities: { elicitation: { url: {} } } }
  );
  client.setRequestHandler('elicitation/create', async (request) => {
    out.elicitations.push(request.params);
    out.person.push(await completeByHttp(base, new URL(request.params.url), secrets));
    return { action: 'accept' };
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(base + path), { requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
  return client;
}

const perConnection = await connect(`/mcp/v1/connections/${connectionId}`);
out.perConnection = await perConnection.callTool({ name: tool, arguments: args });
const aggregate = await connect('/mcp/v1');
out.aggregate = await aggregate.callTool({ name: `${slug}__${tool}`, arguments: args });
for (const c of [perConnection, aggregate]) await c.close();
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
