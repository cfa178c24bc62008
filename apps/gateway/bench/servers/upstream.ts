// Bench: the trivial upstream both proxies forward to. Answers every request with a small JSON body.
import { createServer } from 'node:http';

const BODY = '{"ok":true}';
const port = Number(process.env.PORT ?? '0');
const server = createServer((req, res) => {
  // Drain any request body before answering, like a real service would.
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(BODY.length) });
    res.end(BODY);
  });
});
server.keepAliveTimeout = 30_000;
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === 'object' && address !== null ? address.port : 0 })}\n`,
  );
});
