// Issue 11, findings 4 and 6: the gateway's edge under abuse from a few client addresses (127.0.0.x on
// loopback, each one a client key). One client spraying made-up tokens must not take every token exchange in
// flight, and idle or half-sent sockets must not take every connection: another client is still answered.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Agent, request } from 'undici';
import { DEFAULT_MAX_EXCHANGES_PER_CLIENT } from '../src/config.js';
import { rawRequest } from './support/raw-http.js';
import { startStubAuth, tokenFor, type StubAuth } from './support/stub-auth.js';
import { startTestGateway } from './support/start-gateway.js';
import { startStub, whoamiHandler, type StubServer } from './support/stub-server.js';

let auth: StubAuth;
let orders: StubServer;

beforeAll(async () => {
  auth = await startStubAuth();
  orders = await startStub(whoamiHandler);
});
afterAll(async () => {
  await Promise.all([orders.close(), auth.close()]);
});

/** Loopback source addresses: any 127/8 address is this machine's own, so a test can be several clients. */
const from = (host: number): string => `127.0.0.${host}`;

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await sleep(10);
}

describe('exchange capacity (finding 4)', () => {
  test('760 made-up tokens from 4 addresses against a slow auth: another client’s fresh token is served', async () => {
    // The finding's figures: 4 addresses, 760 tokens, the default cap of 256 in flight; auth answers slowly, so
    // every spray request holds its exchange for 1.5 s. The share is the default one; rate limits and
    // connection caps are opened wide so that the share alone is what holds (each is tested on its own).
    const gw = await startTestGateway({
      authUrl: auth.url,
      ordersUrl: orders.url,
      env: {
        AIRLOCK_GATEWAY_MAX_EXCHANGES_PER_CLIENT: String(DEFAULT_MAX_EXCHANGES_PER_CLIENT),
        AIRLOCK_GATEWAY_MAX_CONNECTIONS: '5000',
        AIRLOCK_GATEWAY_MAX_CONNECTIONS_PER_CLIENT: '1000',
      },
    });
    const attackers = [2, 3, 4, 5].map((host) => new Agent({ localAddress: from(host) }));
    const victim = new Agent({ localAddress: from(9) });
    auth.delayMs = 1_500;
    try {
      const start = auth.calls();
      auth.resetPeak();
      const spray = attackers.flatMap((dispatcher) =>
        Array.from({ length: 190 }, async () => {
          const res = await request(`${gw.url}/api/orders`, {
            dispatcher,
            headers: { authorization: `Bearer ${randomBytes(32).toString('base64url')}` },
          });
          await res.body.text();
          return res.statusCode;
        }),
      );
      // At least 760 - 256 spray requests are refused at once (over the global cap, or over the share); once
      // they are, every other spray request holds an exchange in flight (auth answers after 1.5 s).
      await until(() => gw.decisions.length >= 760 - gw.config.maxExchangesInFlight, 5_000);
      const fresh = await request(`${gw.url}/api/orders`, {
        dispatcher: victim,
        headers: { authorization: `Bearer ${tokenFor('victim')}` },
      });
      const body = await fresh.body.text();
      expect(fresh.statusCode).toBe(200);
      expect(JSON.parse(body)).toMatchObject({ sub: 'victim' });

      const statuses = await Promise.all(spray);
      const sprayed = auth.calls() - start - 1;
      // Each address had at most its share (16 by default) in flight at once, plus the victim's one; the rest
      // was refused at once, not queued (more than 64 in all when the machine is slow to send the spray: a
      // share frees when its exchange settles).
      expect(auth.peakInFlight()).toBeLessThanOrEqual(4 * gw.config.maxExchangesPerClient + 1);
      expect(statuses.filter((status) => status === 401)).toHaveLength(sprayed);
      expect(statuses.filter((status) => status === 429)).toHaveLength(760 - sprayed);
      expect(gw.decisions.filter((d) => d.reason === 'rate_limited_exchanges')).toHaveLength(760 - sprayed);
    } finally {
      auth.delayMs = 0;
      await Promise.all([...attackers, victim].map((agent) => agent.close()));
      await gw.close();
    }
  });

  test('an unknown token is remembered under the same key as a valid one: per audience, briefly', async () => {
    const gw = await startTestGateway({ authUrl: auth.url, ordersUrl: orders.url });
    try {
      const start = auth.calls();
      const unknown = { authorization: `Bearer ${randomBytes(32).toString('base64url')}` };
      for (let index = 0; index < 3; index += 1) {
        const res = await request(`${gw.url}/api/orders`, { headers: unknown });
        await res.body.text();
        expect(res.statusCode).toBe(401);
      }
      expect(auth.calls()).toBe(start + 1);
      // Keyed by (issuer, audience, token hash) like a positive entry: another audience asks auth once more.
      const images = await request(`${gw.url}/api/images`, {
        method: 'POST',
        headers: { ...unknown, 'content-type': 'image/png' },
        body: 'x',
      });
      await images.body.text();
      expect(images.statusCode).toBe(401);
      expect(auth.calls()).toBe(start + 2);
    } finally {
      await gw.close();
    }
  });
});

describe('connections (finding 6)', () => {
  /** Opens a socket from `host` and sends half a request head; resolves once connected, with whether it closed. */
  async function halfOpen(url: string, host: number): Promise<{ socket: Socket; closed: () => boolean }> {
    const { port } = new URL(url);
    let closed = false;
    const socket = connect({ host: '127.0.0.1', port: Number(port), localAddress: from(host) });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
    });
    await new Promise<void>((resolve) => {
      socket.once('connect', resolve);
      socket.once('close', () => {
        resolve();
      });
    });
    if (!socket.destroyed) socket.write('GET /api/orders HTTP/1.1\r\nHost: x\r\n');
    return { socket, closed: () => closed };
  }

  test('idle and partial-header sockets from many addresses: both caps hold, a normal client is answered', async () => {
    const gw = await startTestGateway({
      authUrl: auth.url,
      ordersUrl: orders.url,
      env: { AIRLOCK_GATEWAY_MAX_CONNECTIONS: '40', AIRLOCK_GATEWAY_MAX_CONNECTIONS_PER_CLIENT: '8' },
    });
    const sockets: { socket: Socket; closed: () => boolean }[] = [];
    const openFrom = async (hosts: readonly number[], each: number): Promise<void> => {
      for (const host of hosts) {
        for (let index = 0; index < each; index += 1) sockets.push(await halfOpen(gw.url, host));
      }
      // Excess is closed at accept; give the last closes a moment to arrive.
      await sleep(100);
    };
    const stillOpen = (): number => sockets.filter((entry) => !entry.closed()).length;
    try {
      // Four addresses, 12 sockets each: each keeps 8, the other 4 are closed at once.
      await openFrom([2, 3, 4, 5], 12);
      expect(stillOpen()).toBe(32);
      for (const host of [2, 3, 4, 5]) expect(gw.connections.heldBy(from(host))).toBe(8);
      const normal = await rawRequest(gw.url, 'GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(normal.status).toBe(404);

      // Two more addresses, 8 each: the total cap (40) holds whatever the number of addresses.
      await openFrom([6, 7], 8);
      expect(stillOpen()).toBe(40);
      const refused = await halfOpen(gw.url, 9);
      await until(refused.closed, 1_000);
      expect(refused.closed()).toBe(true);

      // The attack's sockets gone, a normal client is answered again: the counts went down with them.
      for (const entry of sockets) entry.socket.destroy();
      await until(() => gw.connections.heldBy(from(2)) === 0, 1_000);
      const after = await rawRequest(gw.url, 'GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(after.status).toBe(404);
      for (const host of [2, 3, 4, 5, 6, 7]) expect(gw.connections.heldBy(from(host))).toBe(0);
    } finally {
      for (const entry of sockets) entry.socket.destroy();
      await gw.close();
    }
  });
});
