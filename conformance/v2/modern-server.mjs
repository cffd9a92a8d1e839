// A 2026-07-28-only MCP server built with the v2 TypeScript SDK (createMcpHandler, legacy: 'reject'):
// it refuses every 2025-era request and, being strict, every request whose Mcp-Method / Mcp-Name /
// MCP-Protocol-Version headers are missing or disagree with the body (-32020). Tools, a resource and a
// prompt with deterministic answers, so a direct client and one through Plugboard can be compared.
// Served on node:http (the loopback.cjs preload picks 127.0.0.1 and a free port).
import http from 'node:http';
import { acceptedContent, createMcpHandler, inputRequired, inputResponse, McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod/v4';

const factory = () => {
  const server = new McpServer(
    { name: 'plugboard-modern-fixture', version: '1.0.0' },
    { capabilities: { tools: {}, resources: {}, prompts: {} }, instructions: 'A 2026-07-28-only fixture server.' }
  );
  server.registerTool('echo', { description: 'Echo the text back', inputSchema: z.object({ text: z.string() }) }, async ({ text }) => ({
    content: [{ type: 'text', text: `echo: ${text}` }]
  }));
  server.registerTool(
    'add',
    { description: 'Add two numbers', inputSchema: z.object({ a: z.number(), b: z.number() }), outputSchema: z.object({ sum: z.number() }) },
    async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }], structuredContent: { sum: a + b } })
  );
  // A name outside the header-safe characters: its Mcp-Name travels Base64-encoded.
  server.registerTool('grüße', { description: 'Greets in German', inputSchema: z.object({ name: z.string() }) }, async ({ name }) => ({
    content: [{ type: 'text', text: `Grüß Gott, ${name}` }]
  }));
  // x-mcp-header: a client must mirror the region into Mcp-Param-Region, and this server checks it.
  server.registerTool(
    'forecast',
    { description: 'A fixed forecast', inputSchema: z.object({ region: z.string().meta({ 'x-mcp-header': 'Region' }), days: z.number().int() }) },
    async ({ region, days }) => ({ content: [{ type: 'text', text: `${days}-day forecast for ${region}: sunny` }] })
  );
  // Multi round-trip (2026-07-28): the first call answers input_required with a form elicitation, a
  // sampling request and a requestState; the retry carries inputResponses and the echoed state.
  server.registerTool(
    'confirm',
    { description: 'Asks for a name and a model answer, then confirms', inputSchema: z.object({ order: z.string() }) },
    async ({ order }, ctx) => {
      const who = acceptedContent(ctx.mcpReq.inputResponses, 'who');
      const capital = inputResponse(ctx.mcpReq.inputResponses, 'capital');
      const state = ctx.mcpReq.requestState();
      if (who === undefined || capital?.kind !== 'sampling' || state !== `order:${order}`) {
        return inputRequired({
          inputRequests: {
            who: inputRequired.elicit({
              message: `Who confirms order ${order}?`,
              requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] }
            }),
            capital: inputRequired.createMessage({
              messages: [{ role: 'user', content: { type: 'text', text: 'What is the capital of France?' } }],
              maxTokens: 20
            })
          },
          requestState: `order:${order}`
        });
      }
      const text = capital.result.content?.text ?? JSON.stringify(capital.result.content);
      return { content: [{ type: 'text', text: `order ${order} confirmed by ${who.name}; the model said ${text}` }] };
    }
  );
  server.registerResource('greeting', 'fixture://greeting', { mimeType: 'text/plain', description: 'A fixed text' }, async (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'Hello from a 2026-07-28 server' }]
  }));
  server.registerPrompt('greet', { description: 'A greeting prompt', argsSchema: z.object({ name: z.string() }) }, ({ name }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `Please greet ${name}` } }]
  }));
  return server;
};

const handler = createMcpHandler(factory, { legacy: 'reject', onerror: (e) => process.stderr.write(`modern-server: ${e.message}\n`) });

http
  .createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      for (const one of Array.isArray(v) ? v : [v]) if (one !== undefined) headers.append(k, one);
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const request = new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body: hasBody ? Buffer.concat(chunks) : undefined });
    const response = await handler.fetch(request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (response.body) for await (const chunk of response.body) res.write(chunk);
    res.end();
  })
  .listen(0, '127.0.0.1');
