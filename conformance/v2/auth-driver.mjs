// The client the conformance framework runs for its `auth/*` scenarios (`conformance client --command
// "node auth-driver.mjs" --scenario auth/...`, which appends the scenario's MCP server URL). It does
// what a platform does with Plugboard, nothing more:
//   1. POST /v1/connections/oauth/mcp/start with the server URL (and the pre-registered client the
//      scenario hands over in MCP_CONFORMANCE_CONTEXT, as a platform passes its own client);
//   2. visits the authorization URL as the person's browser: every hop a plain GET, redirects followed
//      by hand (the fixture authorization server approves at once), until Plugboard's callback sends it
//      to the return URL with status and connection_id;
//   3. uses the new connection through the gateway (/mcp/v1/connections/{id}) with only the API key,
//      as an agent with the official SDK client: initialize, tools/list, and a call of each listed tool
//      the scenarios define (`test-tool`). A call answered with a connect link (the server asked for more
//      scope: step-up) is completed as the person, on the link's page, then retried.
// Environment (set by AuthScenariosConformanceTest): PLUGBOARD_URL (the app on loopback), PLUGBOARD_KEY
// (an API key, never printed), PLUGBOARD_PUBLIC_BASE_URL (what Plugboard puts in its redirect URI: an
// https front the browser reaches; this browser reaches it at PLUGBOARD_URL). Prints one JSON line with
// the outcome; exits 1 when a step fails.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { completeByHttp } from '../person-page.mjs';

const MAX_LINKS_PER_CALL = 2;
/** The connect link in a tool result's text (an agent that did not declare URL elicitation gets it so). */
const linkIn = (result) => (result.content ?? []).map((c) => c.text ?? '').join(' ').match(/https?:\/\/[^\s/]+\/connect\/[A-Za-z0-9_-]{20,}/)?.[0];

const serverUrl = process.argv[process.argv.length - 1];
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? 'unknown';
const context = process.env.MCP_CONFORMANCE_CONTEXT ? JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT) : {};
const app = process.env.PLUGBOARD_URL.replace(/\/+$/, '');
const publicBase = process.env.PLUGBOARD_PUBLIC_BASE_URL.replace(/\/+$/, '');
const key = process.env.PLUGBOARD_KEY;
const out = { scenario, steps: [] };

function done(ok, error) {
  out.ok = ok;
  if (error) out.error = error;
  console.log(JSON.stringify(out));
  process.exit(ok ? 0 : 1);
}

// The browser reaches Plugboard's public URL; on this machine that is the app on loopback.
const reachable = (url) => (url.startsWith(publicBase + '/') ? app + url.slice(publicBase.length) : url);

try {
  // 1. start
  const body = { mcp_server_url: serverUrl, name: `conformance ${scenario}`, return_url: '/conformance/done' };
  if (context.client_id) {
    body.oauth_client_id = context.client_id;
    if (context.client_secret) body.oauth_client_secret = context.client_secret;
  }
  const started = await fetch(`${app}/v1/connections/oauth/mcp/start`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const startAnswer = await started.json();
  out.steps.push(`start: HTTP ${started.status}`);
  if (started.status !== 200) done(false, `start answered ${started.status}: ${startAnswer.error}: ${startAnswer.message}`);

  // 2. the browser: follow redirects until one leaves for the return URL
  let url = startAnswer.authorization_url;
  let landed;
  for (let hop = 0; hop < 10 && !landed; hop++) {
    const r = await fetch(reachable(url), { redirect: 'manual' });
    const location = r.headers.get('location');
    out.steps.push(`GET ${new URL(url).origin}${new URL(url).pathname}: HTTP ${r.status}`);
    if (r.status < 300 || r.status >= 400 || !location) {
      done(false, `the browser stopped at ${new URL(url).pathname} with HTTP ${r.status}: ${(await r.text()).slice(0, 300)}`);
    }
    url = new URL(location, url).toString();
    if (url.includes('/conformance/done')) landed = new URL(url);
  }
  if (!landed) done(false, 'the browser never reached the return URL');
  const status = landed.searchParams.get('status');
  out.steps.push(`returned: status=${status}${status === 'error' ? ` error=${landed.searchParams.get('error')}` : ''}`);
  if (status !== 'success') done(false, `the callback reported ${landed.searchParams.get('error')}`);
  const id = landed.searchParams.get('connection_id');

  // 3. the agent, through the gateway with only the API key
  const transport = new StreamableHTTPClientTransport(new URL(`${app}/mcp/v1/connections/${id}`), {
    requestInit: { headers: { Authorization: `Bearer ${key}` } },
  });
  const client = new Client({ name: 'plugboard-conformance-platform', version: '1.0.0' }, { capabilities: {} });
  await client.connect(transport);
  out.steps.push('gateway initialize: ok');
  const { tools } = await client.listTools();
  out.tools = tools.map((t) => t.name);
  out.steps.push(`gateway tools/list: ${out.tools.join(', ')}`);
  for (const name of out.tools.filter((n) => n === 'test-tool')) {
    let result = await client.callTool({ name, arguments: {} });
    // A call that needs a person (step-up: the server wants more scope) answers with a connect link:
    // the person completes its page, then the call is retried. A bounded number of times per call: a
    // server that keeps asking after consent must not keep the person in a loop.
    for (let round = 1; round <= MAX_LINKS_PER_CALL && result.isError && linkIn(result); round++) {
      const link = new URL(linkIn(result));
      const visit = await completeByHttp(app, link, {});
      out.steps.push(`gateway tools/call ${name}: connect link; the person's page: ${visit.pageStatus}, browser ${visit.browserStatuses.join(' ')}`);
      result = await client.callTool({ name, arguments: {} });
    }
    out.steps.push(`gateway tools/call ${name}: ${result.isError ? 'error' : 'ok'} ${JSON.stringify(result.content)}`);
    if (result.isError) done(false, `tools/call ${name} answered an error result`);
  }
  await transport.terminateSession().catch(() => {});
  await client.close();
  done(true);
} catch (e) {
  done(false, String(e?.message ?? e));
}
