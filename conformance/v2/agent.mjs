// An agent built with the v2 TypeScript SDK client: uses an MCP server and prints what it got as one
// JSON line, so a direct use and a use through Plugboard can be compared.
// Usage: node agent.mjs <url> <pin|auto|legacy> [--key K] [--prefix P] [--tools-only]
//   pin: versionNegotiation { pin: '2026-07-28' }; auto: server/discover, falling back to initialize;
//   legacy: the 2025 handshake. --prefix: tool names are P<name> (the aggregate endpoint, /mcp/v1).
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

const [url, mode, ...rest] = process.argv.slice(2);
const opt = (name) => (rest.includes(name) ? rest[rest.indexOf(name) + 1] : undefined);
const key = opt('--key');
const prefix = opt('--prefix') ?? '';
const toolsOnly = rest.includes('--tools-only');

const negotiation = mode === 'pin' ? { mode: { pin: '2026-07-28' } } : { mode };
// Form elicitation and sampling: on 2026-07-28 the SDK answers a server's input_required with these
// handlers and retries with inputResponses and the echoed requestState.
const client = new Client(
  { name: 'plugboard-v2-agent', version: '1.0.0' },
  { versionNegotiation: negotiation, capabilities: { elicitation: { form: {} }, sampling: {} } }
);
client.setRequestHandler('elicitation/create', async (request) => ({ action: 'accept', content: { name: `Ada (asked: ${request.params.message})` } }));
client.setRequestHandler('sampling/createMessage', async (request) => ({
  role: 'assistant',
  model: 'fixture-model',
  stopReason: 'endTurn',
  content: { type: 'text', text: `Paris (asked: ${request.params.messages[0].content.text})` }
}));
const headers = key ? { Authorization: `Bearer ${key}` } : {};
await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));

const out = { protocolVersion: client.getNegotiatedProtocolVersion() };
const tools = (await client.listTools()).tools;
out.tools = tools.filter((t) => t.name.startsWith(prefix)).map((t) => ({ ...t, name: t.name.slice(prefix.length) }));
out.calls = {
  echo: await client.callTool({ name: `${prefix}echo`, arguments: { text: 'hello through the gateway' } }),
  add: await client.callTool({ name: `${prefix}add`, arguments: { a: 2, b: 40 } }),
  'grüße': await client.callTool({ name: `${prefix}grüße`, arguments: { name: 'Plugboard' } }),
  forecast: await client.callTool({ name: `${prefix}forecast`, arguments: { region: 'Zürich Nord', days: 3 } })
};
const confirm = () => client.callTool({ name: `${prefix}confirm`, arguments: { order: 'A-17' } });
if (mode === 'legacy') {
  // A 2025 agent cannot answer a 2026-07-28 server's input_required: it must get a clear error, not a hang.
  out.confirmLegacy = await confirm().then((r) => ({ result: r }), (e) => ({ error: String(e.message ?? e) }));
} else {
  out.calls.confirm = await confirm();
}
if (!toolsOnly) {
  out.serverInfo = client.getServerVersion();
  out.capabilities = client.getServerCapabilities();
  out.instructions = client.getInstructions();
  out.resources = (await client.listResources()).resources;
  out.read = await client.readResource({ uri: 'fixture://greeting' });
  out.prompts = (await client.listPrompts()).prompts;
  out.prompt = await client.getPrompt({ name: 'greet', arguments: { name: 'Plugboard' } });
}
// Self-reported identity the server may attach to every result; Plugboard's own answers carry none.
const strip = (v) => JSON.parse(JSON.stringify(v, (k, x) => (k === 'io.modelcontextprotocol/serverInfo' ? undefined : x)));
process.stdout.write(JSON.stringify(strip(out)) + '\n');
await client.close();
process.exit(0);
