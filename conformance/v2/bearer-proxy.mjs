// node bearer-proxy.mjs <target-url>, with the API key in $PLUGBOARD_KEY: a loopback HTTP proxy that
// adds `Authorization: Bearer <key>` to every request and forwards it, byte for byte and streamed both
// ways (SSE included), to the target; every other header (Host, Origin, Mcp-Session-Id, Last-Event-ID)
// passes unchanged. It exists because the conformance framework's `server --url` cannot send an
// Authorization header, and the gateway needs one. Prints the port it listens on, then serves.
import http from 'node:http';

const target = new URL(process.argv[2]);
const bearer = `Bearer ${process.env.PLUGBOARD_KEY}`;

const server = http.createServer((req, res) => {
  const upstream = http.request(
    { host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: { ...req.headers, authorization: bearer } },
    (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    }
  );
  upstream.on('error', (e) => {
    res.headersSent ? res.destroy(e) : res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${e.message}`);
  });
  req.pipe(upstream);
  // A client closing its SSE stream closes the upstream one too.
  res.on('close', () => upstream.destroy());
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
