// Rate limits (per client IP and per token, 429 with Retry-After) and body limits (413 by Content-Length before
// anything else, and by counting a chunked body as it streams).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { rawRequest } from './support/raw-http.js';
import { startStubAuth, tokenFor, type StubAuth } from './support/stub-auth.js';
import { startTestGateway } from './support/start-gateway.js';
import { startStub, whoamiHandler, type StubServer } from './support/stub-server.js';

let auth: StubAuth;
let orders: StubServer;
let images: StubServer;

beforeAll(async () => {
  auth = await startStubAuth();
  orders = await startStub(whoamiHandler);
  images = await startStub((_req, res, body) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ bytes: Buffer.byteLength(body) }));
  });
});
afterAll(async () => {
  await Promise.all([orders.close(), images.close(), auth.close()]);
});

const alice = { authorization: `Bearer ${tokenFor('alice')}` };

describe('rate limits', () => {
  test('per client IP: the burst passes, then 429 with Retry-After, before any other work', async () => {
    const gw = await startTestGateway({
      authUrl: auth.url,
      ordersUrl: orders.url,
      env: { AIRLOCK_GATEWAY_RATE_IP_PER_SECOND: '1', AIRLOCK_GATEWAY_RATE_IP_BURST: '3' },
    });
    try {
      const statuses: number[] = [];
      let last: { headers: Record<string, unknown>; text: string } | undefined;
      for (let index = 0; index < 5; index += 1) {
        const res = await request(`${gw.url}/nope`);
        statuses.push(res.statusCode);
        last = { headers: res.headers, text: await res.body.text() };
      }
      expect(statuses).toEqual([404, 404, 404, 429, 429]);
      expect(last?.headers['retry-after']).toBe('1');
      expect(JSON.parse(last?.text ?? '{}')).toMatchObject({ error: { code: 'too_many_requests' } });
      expect(gw.decisions.at(-1)).toMatchObject({ allowed: false, reason: 'rate_limited_ip' });
    } finally {
      await gw.close();
    }
  });

  test('per token: one token is limited, another one is not', async () => {
    const gw = await startTestGateway({
      authUrl: auth.url,
      ordersUrl: orders.url,
      env: { AIRLOCK_GATEWAY_RATE_TOKEN_PER_SECOND: '1', AIRLOCK_GATEWAY_RATE_TOKEN_BURST: '2' },
    });
    try {
      const statuses: number[] = [];
      for (let index = 0; index < 3; index += 1) {
        const res = await request(`${gw.url}/api/orders`, { headers: alice });
        await res.body.text();
        statuses.push(res.statusCode);
      }
      expect(statuses).toEqual([200, 200, 429]);
      const bob = await request(`${gw.url}/api/orders`, {
        headers: { authorization: `Bearer ${tokenFor('bob')}` },
      });
      await bob.body.text();
      expect(bob.statusCode).toBe(200);
      expect(gw.decisions.filter((decision) => decision.reason === 'rate_limited_token')).toHaveLength(1);
    } finally {
      await gw.close();
    }
  });
});

describe('body limits', () => {
  test('Content-Length over the JSON limit: 413 before the token is even looked at', async () => {
    const gw = await startTestGateway({ authUrl: auth.url, ordersUrl: orders.url });
    try {
      const exchanges = auth.calls();
      const forwarded = orders.received.length;
      const res = await rawRequest(
        gw.url,
        `POST /api/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${64 * 1024 + 1}\r\nConnection: close\r\n\r\n{}`,
      );
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'payload_too_large' } });
      expect(auth.calls()).toBe(exchanges);
      expect(orders.received.length).toBe(forwarded);
    } finally {
      await gw.close();
    }
  });

  test('a chunked body is counted as it streams: 413 once it passes the limit', async () => {
    const gw = await startTestGateway({
      authUrl: auth.url,
      ordersUrl: orders.url,
      env: { AIRLOCK_GATEWAY_MAX_BODY_BYTES: '1024' },
    });
    try {
      const chunks = Array.from({ length: 8 }, () => Buffer.alloc(256, 0x61));
      const res = await request(`${gw.url}/api/orders`, {
        method: 'POST',
        headers: { ...alice, 'content-type': 'application/json' },
        body: Readable.from(chunks),
      });
      const text = await res.body.text();
      expect(res.statusCode).toBe(413);
      expect(JSON.parse(text)).toMatchObject({ error: { code: 'payload_too_large' } });
    } finally {
      await gw.close();
    }
  });

  test('image uploads get the larger upload limit; the JSON limit still applies elsewhere', async () => {
    const gw = await startTestGateway({ authUrl: auth.url, ordersUrl: orders.url, imagesUrl: images.url });
    try {
      const image = Buffer.alloc(1024 * 1024, 0x42);
      const ok = await request(`${gw.url}/api/images`, {
        method: 'POST',
        headers: { ...alice, 'content-type': 'image/png' },
        body: image,
      });
      expect(ok.statusCode).toBe(200);
      expect(JSON.parse(await ok.body.text())).toEqual({ bytes: image.length });
      const tooBig = await request(`${gw.url}/api/orders`, {
        method: 'POST',
        headers: { ...alice, 'content-type': 'application/json' },
        body: image,
      });
      await tooBig.body.text();
      expect(tooBig.statusCode).toBe(413);
      const overUpload = await rawRequest(
        gw.url,
        `POST /api/images HTTP/1.1\r\nHost: x\r\nContent-Length: ${5 * 1024 * 1024 + 1}\r\nConnection: close\r\n\r\n`,
      );
      expect(overUpload.status).toBe(413);
    } finally {
      await gw.close();
    }
  });

  test("the web shop's upload route gets the upload limit too (the topology marks it); its other routes do not", async () => {
    // The shop's BFF forwards image uploads to /api/images: capped at the JSON limit here, the shop could never
    // upload what image-processor accepts.
    const gw = await startTestGateway({ authUrl: auth.url, env: { AIRLOCK_WEB_URL: images.url } });
    try {
      const image = Buffer.alloc(1024 * 1024, 0x42);
      const ok = await request(`${gw.url}/bff/api/images`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: image,
      });
      expect(ok.statusCode).toBe(200);
      expect(JSON.parse(await ok.body.text())).toEqual({ bytes: image.length });
      const tooBig = await request(`${gw.url}/bff/api/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: image,
      });
      await tooBig.body.text();
      expect(tooBig.statusCode).toBe(413);
      const overUpload = await rawRequest(
        gw.url,
        `POST /bff/api/images HTTP/1.1\r\nHost: x\r\nContent-Length: ${5 * 1024 * 1024 + 1}\r\nConnection: close\r\n\r\n`,
      );
      expect(overUpload.status).toBe(413);
    } finally {
      await gw.close();
    }
  });

  test('a GET with a body is refused (400), never forwarded', async () => {
    const gw = await startTestGateway({ authUrl: auth.url, ordersUrl: orders.url });
    try {
      const forwarded = orders.received.length;
      const res = await rawRequest(
        gw.url,
        `GET /api/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tokenFor('alice')}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
      );
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'unexpected_body' } });
      expect(orders.received.length).toBe(forwarded);
    } finally {
      await gw.close();
    }
  });

  test('Content-Length together with Transfer-Encoding is refused by the parser (no smuggling)', async () => {
    const gw = await startTestGateway({ authUrl: auth.url, ordersUrl: orders.url });
    try {
      const forwarded = orders.received.length;
      const res = await rawRequest(
        gw.url,
        `POST /api/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tokenFor('alice')}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`,
      );
      expect(res.status).toBe(400);
      expect(orders.received.length).toBe(forwarded);
    } finally {
      await gw.close();
    }
  });
});
