// Issue 11, finding 2: on auth's routes the gateway adds its signed word on the client's address (the socket's
// peer), and nothing a client sends can stand in for it: a client's own x-airlock-client-address is dropped.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CLIENT_ADDRESS_HEADER,
  createClientAddressAssertion,
  ensureWorkloadKeyPair,
  verifyClientAddressAssertion,
  type WorkloadKeyPair,
} from '@airlock/workload-identity';
import { request } from 'undici';
import { startTestGateway, type TestGateway } from './support/start-gateway.js';
import { startStub, type StubServer } from './support/stub-server.js';

let dir: string;
let keys: WorkloadKeyPair;
let auth: StubServer;
let gateway: TestGateway;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-gateway-address-'));
  keys = await ensureWorkloadKeyPair({ dataDir: dir, service: 'gateway' });
  auth = await startStub((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
  });
  gateway = await startTestGateway({
    authUrl: auth.url,
    clientAddressAssertion: (address) =>
      createClientAddressAssertion({
        service: 'gateway',
        privateKey: keys.privateKey,
        kid: keys.kid,
        audience: gateway.config.issuer,
        address,
      }),
  });
});
afterAll(async () => {
  await gateway.close();
  await auth.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the client address on auth's routes", () => {
  it('is the peer address, signed by the gateway, whatever the client claims', async () => {
    const response = await request(`${gateway.url}/auth/jwks`, {
      headers: { [CLIENT_ADDRESS_HEADER]: 'forged-by-the-client', 'x-forwarded-for': '203.0.113.9' },
    });
    await response.body.text();
    expect(response.statusCode).toBe(200);
    const received = auth.received.at(-1);
    const values = (received?.rawHeaders ?? []).filter(
      (_value, index, all) => index % 2 === 1 && all[index - 1]?.toLowerCase() === CLIENT_ADDRESS_HEADER,
    );
    expect(values).toHaveLength(1);
    const address = await verifyClientAddressAssertion(values[0] ?? '', {
      service: 'gateway',
      publicJwk: keys.publicJwk,
      audience: gateway.config.issuer,
    });
    expect(address).toBe('127.0.0.1');
  });
});
