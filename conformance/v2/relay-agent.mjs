// An agent built with the v1 TypeScript SDK client that answers the server's sampling and elicitation
// requests and follows progress: calls the suite fixture's tools that ask it something during the
// call, and prints what it got (and what it was asked) as one JSON line, so a direct use and a use
// through Plugboard can be compared.
// Usage: node relay-agent.mjs <url> [--key K] [--prefix P]   (--prefix: tool names are P<name>, /mcp/v1)
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const [url, ...rest] = process.argv.slice(2);
const opt = (name) => (rest.includes(name) ? rest[rest.indexOf(name) + 1] : undefined);
const key = opt('--key');
const prefix = opt('--prefix') ?? '';

const asked = [];
const client = new Client({ name: 'plugboard-relay-agent', version: '1.0.0' }, { capabilities: { sampling: {}, elicitation: {} } });
client.setRequestHandler(CreateMessageRequestSchema, async (req) => {
  asked.push({ method: req.method, text: req.params.messages[0]?.content?.text });
  return { role: 'assistant', content: { type: 'text', text: `the agent read: ${req.params.messages[0]?.content?.text}` }, model: 'relay-agent' };
});
client.setRequestHandler(ElicitRequestSchema, async (req) => {
  asked.push({ method: req.method, message: req.params.message });
  return { action: 'accept', content: { username: 'ada', email: 'ada@example.test' } };
});
const headers = key ? { Authorization: `Bearer ${key}` } : {};
await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));

const progress = [];
const out = {
  sampling: await client.callTool({ name: `${prefix}test_sampling`, arguments: { prompt: 'What is the capital of France?' } }),
  elicitation: await client.callTool({ name: `${prefix}test_elicitation`, arguments: { message: 'Who are you?' } }),
  progressTool: await client.callTool({ name: `${prefix}test_tool_with_progress`, arguments: {} }, undefined, {
    onprogress: (p) => progress.push(p.progress)
  })
};
out.asked = asked;
out.progress = progress;
process.stdout.write(JSON.stringify(out) + '\n');
await client.close();
