// A loopback node:http server for tests: stands in for an internal service or for auth, records what it
// received, and answers with whatever the test's handler decides.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly rawHeaders: readonly string[];
  readonly body: string;
}

export interface StubServer {
  readonly url: string;
  readonly port: number;
  readonly received: ReceivedRequest[];
  close(): Promise<void>;
}

export type StubHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

/** `host`: another loopback address (127.0.0.2) stands in for a second replica on the same port. */
export async function startStub(handler: StubHandler, port = 0, host = '127.0.0.1'): Promise<StubServer> {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body,
      });
      void Promise.resolve(handler(req, res, body)).catch(() => {
        res.destroy();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** An upstream that answers 200 with JSON describing the request it received (headers and all). */
export function echoHandler(req: IncomingMessage, res: ServerResponse, body: string): void {
  const payload = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

/** Decodes (without verifying) the payload of the Bearer JWT an upstream received. */
export function jwtClaims(authorization: string | undefined): Record<string, unknown> | undefined {
  const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  const payload = token?.split('.')[1];
  if (payload === undefined) return undefined;
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** An internal service that answers with who the JWT says the caller is, and never echoes the JWT itself. */
export function whoamiHandler(req: IncomingMessage, res: ServerResponse): void {
  const claims = jwtClaims(req.headers.authorization);
  const payload = JSON.stringify({ sub: claims?.sub, aud: claims?.aud, url: req.url });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}
