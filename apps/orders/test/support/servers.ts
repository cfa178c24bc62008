// Loopback HTTP servers for cross-service tests: the real payments app, and payments stand-ins that fail.
import { createServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningServer {
  readonly url: URL;
  /** Requests received so far. */
  readonly hits: () => number;
  close(): Promise<void>;
}

export async function listenOnLoopback(listener: RequestListener): Promise<RunningServer> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits += 1;
    listener(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}`),
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        // Hanging requests would keep close() waiting forever.
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** A payments that answers every request with 500 and an internal-looking body. */
export function failingPayments(): Promise<RunningServer> {
  return listenOnLoopback((_req, res) => {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'internal_error', message: 'db at 10.0.0.7 is down' } }));
  });
}

/** A payments that accepts the request and never answers. */
export function hangingPayments(): Promise<RunningServer> {
  return listenOnLoopback(() => {
    // Never respond: orders' deadline has to end the call.
  });
}
