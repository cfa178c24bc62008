// A loopback HTTP server that counts requests and answers with whatever the test sets: a JWKS, an error,
// a redirect, or silence. Used to prove how many fetches happened, including zero.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Responder = (req: IncomingMessage, res: ServerResponse) => void;

export interface CountingServer {
  readonly url: URL;
  readonly requests: () => number;
  respondWith: (responder: Responder) => void;
  serveJson: (body: unknown) => void;
  close: () => Promise<void>;
}

export async function startCountingServer(path = '/.well-known/jwks.json'): Promise<CountingServer> {
  let count = 0;
  let responder: Responder = (_req, res) => res.writeHead(404).end();
  const server = createServer((req, res) => {
    count += 1;
    responder(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}${path}`),
    requests: () => count,
    respondWith: (next) => {
      responder = next;
    },
    serveJson: (body) => {
      const text = JSON.stringify(body);
      responder = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(text);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
