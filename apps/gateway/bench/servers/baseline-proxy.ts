// Bench reference (A): the plain reverse proxy the issue measures against: node:http + undici Pool.stream,
// hop-by-hop headers removed (undici refuses them), nothing else. No checks, no tokens, no logging.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { Pool } from 'undici';

const upstream = process.env.UPSTREAM ?? '';
const port = Number(process.env.PORT ?? '0');
const pool = new Pool(upstream, { connections: 128, pipelining: 1 });
const HOP = new Set([
  'connection',
  'keep-alive',
  'host',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'proxy-connection',
]);

function endToEnd(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined && !HOP.has(name)) out[name] = value;
  return out;
}

const server = createServer((req, res) => {
  pool.stream(
    {
      path: req.url ?? '/',
      method: req.method === 'POST' ? 'POST' : 'GET',
      headers: endToEnd(req.headers),
      body: req.method === 'GET' ? null : req,
    },
    ({ statusCode, headers }) => {
      res.writeHead(statusCode, endToEnd(headers));
      return res;
    },
    (error) => {
      if (error !== null && !res.headersSent) {
        res.writeHead(502);
        res.end();
      }
    },
  );
});
server.keepAliveTimeout = 30_000;
// Exit normally on SIGTERM so that `--cpu-prof` can write its profile.
process.on('SIGTERM', () => process.exit(0));
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === 'object' && address !== null ? address.port : 0 })}\n`,
  );
});
