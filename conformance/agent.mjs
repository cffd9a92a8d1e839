// An agent as the official TypeScript SDK client plays it: connects, lists tools (and prompts and
// resources when offered), calls the deterministic tools of the reference servers, ends its session,
// and prints everything it got as JSON. GatewayConformanceTest runs it once against a server and
// once through Plugboard's gateway with only an API key, and demands the same output.
// With a prefix (the aggregate endpoint /mcp/v1, which serves every connection's tools as
// <slug>__<tool>), it keeps only the tools named <prefix>__..., calls them by those names, and prints
// them without the prefix: only tools and calls, as the server, prompts and resources are Plugboard's.
// Usage: node agent.mjs <url> <http|sse> [api key] [prefix]
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [url, kind, key, prefix] = process.argv.slice(2);
const own = prefix ? `${prefix}__` : '';
const requestInit = key ? { headers: { Authorization: `Bearer ${key}` } } : undefined;
const transport =
  kind === 'sse' ? new SSEClientTransport(new URL(url), { requestInit }) : new StreamableHTTPClientTransport(new URL(url), { requestInit });
const client = new Client({ name: 'plugboard-agent', version: '1.0.0' }, { capabilities: {} });
await client.connect(transport);

const CALLS = {
  echo: { message: 'through plugboard' },
  'get-sum': { a: 2, b: 3 },
  'get-tiny-image': {},
  greet: { name: 'Plugboard' },
};
const out = { server: client.getServerVersion(), capabilities: client.getServerCapabilities(), instructions: client.getInstructions(), tools: [], calls: {} };
let cursor;
do {
  const page = await client.listTools(cursor ? { cursor } : {});
  out.tools.push(...page.tools.filter((t) => t.name.startsWith(own)).map((t) => ({ ...t, name: t.name.slice(own.length) })));
  cursor = page.nextCursor;
} while (cursor);
for (const tool of out.tools) {
  if (CALLS[tool.name]) {
    out.calls[tool.name] = await client.callTool({ name: own + tool.name, arguments: CALLS[tool.name] });
  }
}
if (out.capabilities?.prompts) {
  out.prompts = (await client.listPrompts()).prompts;
}
if (out.capabilities?.resources) {
  out.resources = (await client.listResources()).resources;
}
if (kind !== 'sse' && transport.sessionId) {
  try {
    await transport.terminateSession();
  } catch (e) {
    if (key) throw e; // some reference servers refuse DELETE; the gateway must not
  }
}
await client.close();
process.stdout.write(JSON.stringify(prefix ? { tools: out.tools, calls: out.calls } : out) + '\n');
process.exit(0);
