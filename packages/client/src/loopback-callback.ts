// The CLI's side of RFC 8252: a one-route HTTP server on 127.0.0.1 and a port of its own choosing, that
// records the authorization responses it is redirected to and can wait for the first one.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackCallback {
  /** `http://127.0.0.1:<port>/callback` */
  readonly redirectUri: string;
  readonly received: URL[];
  /** Resolves with the first callback, or rejects after `timeoutMs`. */
  next(timeoutMs: number): Promise<URL>;
  close(): Promise<void>;
}

export async function startLoopbackCallback(): Promise<LoopbackCallback> {
  const received: URL[] = [];
  const waiters: ((url: URL) => void)[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    if (url.pathname !== '/callback') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found.');
      return;
    }
    received.push(url);
    for (const wake of waiters.splice(0)) wake(url);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('Signed in. You can close this window.');
  });
  await new Promise<void>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      resolve();
    }),
  );
  const { port } = server.address() as AddressInfo;
  return {
    redirectUri: `http://127.0.0.1:${port}/callback`,
    received,
    next: (timeoutMs) => {
      const [first] = received;
      if (first !== undefined) return Promise.resolve(first);
      return new Promise<URL>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`no sign-in within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        waiters.push((url) => {
          clearTimeout(timer);
          resolve(url);
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
