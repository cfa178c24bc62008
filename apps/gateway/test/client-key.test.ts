// Issue 11, finding 11: who "the client" is for every per-client limit. The peer by default; a proxy's
// X-Forwarded-For or Forwarded header only from a configured proxy, read from the right; IPv6 by its /64.
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ConfigError } from '@airlock/service-kit';
import { Agent, request } from 'undici';
import { ClientAddresses, type ClientAddressMode } from '../src/edge/client-address.js';
import { parseGatewayConfig } from '../src/config.js';
import { startTestGateway, type TestGateway } from './support/start-gateway.js';
import { startStub, type StubServer } from './support/stub-server.js';

/** Only what ClientAddresses reads of a request: the socket's peer and the headers. */
function fakeRequest(peer: string, headers: Record<string, string> = {}): IncomingMessage {
  return { socket: { remoteAddress: peer }, headers } as unknown as IncomingMessage;
}

function clients(mode: ClientAddressMode, trustedProxies: readonly string[] = []): ClientAddresses {
  return new ClientAddresses({ mode, trustedProxies });
}

describe('the client key of an address', () => {
  const keys = clients('peer');

  test('IPv4 is keyed by the address, IPv4-mapped IPv6 as the IPv4 address', () => {
    expect(keys.keyOf('203.0.113.7')).toBe('203.0.113.7');
    expect(keys.addressOf(fakeRequest('::ffff:203.0.113.7'))).toBe('203.0.113.7');
    expect(keys.keyOf('127.0.0.2')).not.toBe(keys.keyOf('127.0.0.3'));
  });

  test('IPv6 is keyed by its /64, however the address is written', () => {
    const key = '2001:db8:0:0::/64';
    for (const address of [
      '2001:db8::1',
      '2001:db8:0:0:1:2:3:4',
      '2001:0db8:0000:0000:ffff:ffff:ffff:ffff',
      '2001:db8::ffff:1.2.3.4',
      'fe80::1%eth0'.replace('fe80', '2001:db8'),
    ]) {
      expect(keys.keyOf(address)).toBe(key);
    }
    expect(keys.keyOf('2001:db8:0:1::1')).toBe('2001:db8:0:1::/64');
    expect(keys.keyOf('2001:db8:1::')).toBe('2001:db8:1:0::/64');
    expect(keys.keyOf('::1')).toBe('0:0:0:0::/64');
  });
});

describe('peer mode (the default)', () => {
  test('every forwarding header is ignored', () => {
    const peer = clients('peer');
    const req = fakeRequest('198.51.100.4', {
      'x-forwarded-for': '203.0.113.7',
      forwarded: 'for=203.0.113.7',
    });
    expect(peer.addressOf(req)).toBe('198.51.100.4');
    expect(peer.isTrustedProxy('198.51.100.4')).toBe(false);
  });
});

describe('x-forwarded-for mode', () => {
  const xff = clients('x-forwarded-for', ['10.0.0.0/8', '192.0.2.1']);
  const via = (peer: string, header?: string): string =>
    xff.addressOf(fakeRequest(peer, header === undefined ? {} : { 'x-forwarded-for': header }));

  test('from an untrusted peer the header is ignored: a spoofed address counts as the peer', () => {
    expect(via('198.51.100.4', '203.0.113.7')).toBe('198.51.100.4');
  });

  test('from a trusted proxy: the rightmost address that is not a trusted proxy', () => {
    expect(via('10.0.0.5', '203.0.113.7')).toBe('203.0.113.7');
    expect(via('10.0.0.5', '203.0.113.7, 10.1.2.3, 192.0.2.1')).toBe('203.0.113.7');
    // What the client wrote itself sits left of what the proxy appended, and is never reached.
    expect(via('10.0.0.5', '1.1.1.1, 203.0.113.7')).toBe('203.0.113.7');
    expect(via('192.0.2.1', '203.0.113.7:4711')).toBe('203.0.113.7');
    expect(via('192.0.2.1', '[2001:db8::7]:4711')).toBe('2001:db8::7');
  });

  test('no header, or an entry that is not an address: the nearest trusted hop is the client', () => {
    expect(via('10.0.0.5')).toBe('10.0.0.5');
    expect(via('10.0.0.5', 'not-an-address')).toBe('10.0.0.5');
    expect(via('10.0.0.5', '203.0.113.7, unknown, 10.0.0.9')).toBe('10.0.0.9');
    expect(via('10.0.0.5', '10.0.0.9, 10.0.0.8')).toBe('10.0.0.9');
  });

  test('the Forwarded header means nothing in this mode', () => {
    expect(xff.addressOf(fakeRequest('10.0.0.5', { forwarded: 'for=203.0.113.7' }))).toBe('10.0.0.5');
  });
});

describe('forwarded mode (RFC 7239)', () => {
  const fwd = clients('forwarded', ['10.0.0.0/8']);
  const via = (peer: string, header: string): string =>
    fwd.addressOf(fakeRequest(peer, { forwarded: header }));

  test('the rightmost for= that is not a trusted proxy, quoted IPv6 with a port included', () => {
    expect(via('10.0.0.5', 'for=192.0.2.60;proto=http;by=203.0.113.43')).toBe('192.0.2.60');
    expect(via('10.0.0.5', 'for=192.0.2.60, for="[2001:db8:cafe::17]:4711"')).toBe('2001:db8:cafe::17');
    expect(via('10.0.0.5', 'for=192.0.2.60, For=10.0.0.7;proto=https')).toBe('192.0.2.60');
  });

  test('obfuscated, unknown or missing for=: the nearest trusted hop; an untrusted peer: the peer', () => {
    expect(via('10.0.0.5', 'for=unknown')).toBe('10.0.0.5');
    expect(via('10.0.0.5', 'for=_hidden, for=10.0.0.7')).toBe('10.0.0.7');
    expect(via('10.0.0.5', 'proto=https')).toBe('10.0.0.5');
    expect(via('198.51.100.4', 'for=203.0.113.7')).toBe('198.51.100.4');
    expect(fwd.addressOf(fakeRequest('10.0.0.5', { 'x-forwarded-for': '203.0.113.7' }))).toBe('10.0.0.5');
  });
});

describe('configuration, checked at start', () => {
  const env = {
    AIRLOCK_AUTH_URL: 'http://127.0.0.1:9',
    AIRLOCK_ORDERS_URL: 'http://127.0.0.1:9',
    AIRLOCK_IMAGE_PROCESSOR_URL: 'http://127.0.0.1:9',
  };
  const refused = (extra: Record<string, string>): string[] => {
    try {
      parseGatewayConfig({ ...env, ...extra });
    } catch (error) {
      // An item of a list is reported as VARIABLE.<index>: the variable is what matters here.
      if (error instanceof ConfigError)
        return error.issues.map((issue) => issue.variable.split('.')[0] ?? '');
      throw error;
    }
    return [];
  };

  test('peer is the default, with no trusted proxy', () => {
    expect(parseGatewayConfig(env).clientAddress).toEqual({ mode: 'peer', trustedProxies: [] });
  });

  test('a proxy header mode with no trusted proxies is refused', () => {
    expect(refused({ AIRLOCK_GATEWAY_CLIENT_ADDRESS: 'x-forwarded-for' })).toEqual([
      'AIRLOCK_GATEWAY_TRUSTED_PROXIES',
    ]);
    expect(refused({ AIRLOCK_GATEWAY_CLIENT_ADDRESS: 'forwarded' })).toEqual([
      'AIRLOCK_GATEWAY_TRUSTED_PROXIES',
    ]);
    expect(() => clients('forwarded')).toThrow(TypeError);
  });

  test('trusted proxies are addresses or CIDRs, and only with a header mode', () => {
    expect(
      refused({
        AIRLOCK_GATEWAY_CLIENT_ADDRESS: 'x-forwarded-for',
        AIRLOCK_GATEWAY_TRUSTED_PROXIES: '10.0.0.0/33',
      }),
    ).toEqual(['AIRLOCK_GATEWAY_TRUSTED_PROXIES']);
    expect(
      refused({
        AIRLOCK_GATEWAY_CLIENT_ADDRESS: 'x-forwarded-for',
        AIRLOCK_GATEWAY_TRUSTED_PROXIES: 'proxy.local',
      }),
    ).toEqual(['AIRLOCK_GATEWAY_TRUSTED_PROXIES']);
    expect(refused({ AIRLOCK_GATEWAY_TRUSTED_PROXIES: '10.0.0.1' })).toEqual([
      'AIRLOCK_GATEWAY_TRUSTED_PROXIES',
    ]);
    expect(refused({ AIRLOCK_GATEWAY_CLIENT_ADDRESS: 'any-header' })).toEqual([
      'AIRLOCK_GATEWAY_CLIENT_ADDRESS',
    ]);
    expect(
      parseGatewayConfig({
        ...env,
        AIRLOCK_GATEWAY_CLIENT_ADDRESS: 'forwarded',
        AIRLOCK_GATEWAY_TRUSTED_PROXIES: '10.0.0.0/8, 2001:db8::/32, 192.0.2.1',
      }).clientAddress,
    ).toEqual({ mode: 'forwarded', trustedProxies: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.1'] });
  });
});

describe('through the gateway: a proxy at 127.0.0.2, a direct client at 127.0.0.3', () => {
  let upstream: StubServer;
  let gw: TestGateway;
  const proxy = new Agent({ localAddress: '127.0.0.2' });
  const direct = new Agent({ localAddress: '127.0.0.3' });

  beforeAll(async () => {
    upstream = await startStub((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
    });
    gw = await startTestGateway({
      authUrl: upstream.url,
      env: {
        AIRLOCK_GATEWAY_CLIENT_ADDRESS: 'x-forwarded-for',
        AIRLOCK_GATEWAY_TRUSTED_PROXIES: '127.0.0.2',
        AIRLOCK_GATEWAY_RATE_IP_PER_SECOND: '1',
        AIRLOCK_GATEWAY_RATE_IP_BURST: '2',
        AIRLOCK_GATEWAY_MAX_CONNECTIONS_PER_CLIENT: '2',
      },
    });
  });
  afterAll(async () => {
    await Promise.all([proxy.close(), direct.close()]);
    await gw.close();
    await upstream.close();
  });

  async function statusOf(dispatcher: Agent, forwardedFor: string): Promise<number> {
    const res = await request(`${gw.url}/auth/jwks`, {
      dispatcher,
      headers: { 'x-forwarded-for': forwardedFor },
    });
    await res.body.text();
    return res.statusCode;
  }

  test("behind the proxy, each client has its own rate limit, and services see the proxy's word on it", async () => {
    const statuses = [];
    for (let index = 0; index < 3; index += 1) statuses.push(await statusOf(proxy, '198.51.100.1'));
    expect(statuses).toEqual([200, 200, 429]);
    expect(await statusOf(proxy, '1.1.1.1, 198.51.100.2')).toBe(200);
    const forwarded = upstream.received.at(-1)?.headers['x-forwarded-for'];
    expect(forwarded).toBe('198.51.100.2');
  });

  test('a direct client rotating a spoofed X-Forwarded-For is still one client: its peer address', async () => {
    const statuses = [];
    for (let index = 0; index < 3; index += 1)
      statuses.push(await statusOf(direct, `203.0.113.${index + 1}`));
    expect(statuses).toEqual([200, 200, 429]);
  });

  test("the proxy's connections count only in the total; a direct client's are capped (2 here)", async () => {
    const { port } = new URL(gw.url);
    const open = async (localAddress: string): Promise<Socket> => {
      const socket = connect({ host: '127.0.0.1', port: Number(port), localAddress });
      socket.on('error', () => undefined);
      await new Promise<void>((resolve) => {
        socket.once('connect', resolve);
      });
      socket.write('GET /auth/jwks HTTP/1.1\r\nHost: x\r\n');
      return socket;
    };
    const sockets: Socket[] = [];
    try {
      for (let index = 0; index < 4; index += 1)
        sockets.push(await open('127.0.0.2'), await open('127.0.0.4'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const alive = (address: string): number =>
        sockets.filter((socket) => socket.localAddress === address && !socket.destroyed).length;
      expect(alive('127.0.0.2')).toBe(4);
      expect(alive('127.0.0.4')).toBe(2);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });
});
