// The reference answer: the tool names a server serves, listed with the official TypeScript SDK
// client (declaring no capabilities, like the probe). Usage: node list-tools.mjs <url> <http|sse>
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [url, kind] = process.argv.slice(2);
const client = new Client({ name: 'plugboard-conformance', version: '1.0.0' }, { capabilities: {} });
const transport = kind === 'sse' ? new SSEClientTransport(new URL(url)) : new StreamableHTTPClientTransport(new URL(url));
await client.connect(transport);
const names = [];
let cursor;
do {
  const page = await client.listTools(cursor ? { cursor } : {});
  names.push(...page.tools.map((t) => t.name));
  cursor = page.nextCursor;
} while (cursor);
process.stdout.write(JSON.stringify(names) + '\n');
await client.close();
process.exit(0);
