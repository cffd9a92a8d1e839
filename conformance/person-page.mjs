// The person's part of a connect link, shared by the SDK agents of the conformance runs
// (connect-agent.mjs, v2/connect-agent.mjs): the hosted page completed by plain HTTP.
/**
 * The person's browser by plain HTTP, as a browser without JavaScript does it. The link's origin is the
 * configured public base URL; the script reaches the same path on the app it was given (in tests the
 * app listens elsewhere than its public URL).
 */
export async function completeByHttp(base, link, secrets) {
  const out = {};
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
  return out;
}
