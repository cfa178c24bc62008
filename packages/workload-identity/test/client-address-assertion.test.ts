// The gateway's signed client address: verified only for the right signer, audience, type and lifetime.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createClientAddressAssertion,
  createClientAssertion,
  ensureWorkloadKeyPair,
  verifyClientAddressAssertion,
  type WorkloadKeyPair,
} from '../src/index.js';

const AUDIENCE = 'http://127.0.0.1:8080/auth';
let dir: string;
let gateway: WorkloadKeyPair;
let orders: WorkloadKeyPair;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-client-address-'));
  gateway = await ensureWorkloadKeyPair({ dataDir: dir, service: 'gateway' });
  orders = await ensureWorkloadKeyPair({ dataDir: dir, service: 'orders' });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sign = (pair: WorkloadKeyPair, service: string, overrides: { audience?: string; now?: Date } = {}) =>
  createClientAddressAssertion({
    service,
    privateKey: pair.privateKey,
    kid: pair.kid,
    audience: overrides.audience ?? AUDIENCE,
    address: '203.0.113.7',
    ...(overrides.now === undefined ? {} : { now: overrides.now }),
  });

const verify = (assertion: string, now?: Date) =>
  verifyClientAddressAssertion(assertion, {
    service: 'gateway',
    publicJwk: gateway.publicJwk,
    audience: AUDIENCE,
    ...(now === undefined ? {} : { now }),
  });

describe('client address assertions', () => {
  it('yields the address the gateway signed', async () => {
    await expect(verify(await sign(gateway, 'gateway'))).resolves.toBe('203.0.113.7');
  });

  it('yields nothing for another service, key, audience, type or an expired one', async () => {
    await expect(verify(await sign(orders, 'orders'))).resolves.toBeUndefined();
    await expect(verify(await sign(orders, 'gateway'))).resolves.toBeUndefined();
    await expect(
      verify(await sign(gateway, 'gateway', { audience: 'http://elsewhere/auth' })),
    ).resolves.toBeUndefined();
    const clientAssertion = await createClientAssertion({
      service: 'gateway',
      privateKey: gateway.privateKey,
      kid: gateway.kid,
      audience: AUDIENCE,
    });
    await expect(verify(clientAssertion)).resolves.toBeUndefined();
    const old = await sign(gateway, 'gateway', { now: new Date(Date.now() - 60_000) });
    await expect(verify(old)).resolves.toBeUndefined();
    await expect(verify('not.a.jwt')).resolves.toBeUndefined();
  });
});
