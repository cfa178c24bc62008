// Issue 11, finding 2: someone else's wrong guesses must not refuse a user's right password. Failures are limited
// per (username, client) and per client; a username under attack from everywhere is slowed down, not locked. The
// client is the address the gateway signs (workload identity); nothing a local process sends can choose it.
// On both engines of auth's store (the attempts' interactions live in it).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CLIENT_ADDRESS_HEADER, createClientAddressAssertion } from '@airlock/workload-identity';
import { DEMO_PASSWORD, removeDataDir, startAuth, type RunningAuth } from './support/auth-server.js';
import { openLoginPage } from './support/interaction.js';
import { keyOf, setUpWorkloads, type Service, type Workloads } from './support/workloads.js';
import { DATABASE_ENGINES, useTestDatabases } from '@airlock/testing/database-engines';

describe.each(DATABASE_ENGINES)('on %s', (engine) => {
  const databases = useTestDatabases(engine);

  const servers: RunningAuth[] = [];

  afterAll(async () => {
    for (const server of servers) {
      await server.stop();
      await removeDataDir(server.dataDir);
    }
  });

  interface Target {
    readonly server: RunningAuth;
    readonly workloads: Workloads;
  }

  // The default capacities (5 per username and client, 20 per client) with refills too slow to matter while a test
  // runs on a slow machine.
  const SLOW_REFILL = {
    perUsername: { capacity: 5, refillSeconds: 3600 },
    perAddress: { capacity: 20, refillSeconds: 3600 },
  };

  async function startTarget(env: Readonly<Record<string, string>> = {}): Promise<Target> {
    const server = await startAuth({ database: await databases.next(), env, rateLimits: SLOW_REFILL });
    servers.push(server);
    return { server, workloads: await setUpWorkloads(server) };
  }

  /** The header the gateway adds: `address` signed with `signer`'s workload key (the gateway's, unless a test forges). */
  async function clientAddress(
    target: Target,
    address: string,
    signer: Service = 'gateway',
  ): Promise<string> {
    const { privateKey, kid } = keyOf(target.workloads, signer);
    return createClientAddressAssertion({
      service: signer,
      privateKey,
      kid,
      audience: target.server.issuer,
      address,
    });
  }

  async function attempt(
    target: Target,
    username: string,
    password: string,
    headers: Readonly<Record<string, string>>,
  ): Promise<number> {
    const page = await openLoginPage(target.server.issuer);
    const response = await page.browser.submitForm(page.pageUrl, page.html, { username, password }, headers);
    await response.text();
    return response.status;
  }

  const from = async (target: Target, address: string) => ({
    [CLIENT_ADDRESS_HEADER]: await clientAddress(target, address),
  });

  describe('sign-in limits per client, as the gateway signs it', () => {
    let target: Target;
    beforeAll(async () => {
      target = await startTarget();
    });

    it('lets a user sign in from their own client after 5 wrong passwords for them from another', async () => {
      const attacker = await from(target, '198.51.100.1');
      for (let i = 0; i < 5; i += 1) expect(await attempt(target, 'carol', 'guess', attacker)).toBe(200);
      expect(await attempt(target, 'carol', DEMO_PASSWORD, attacker)).toBe(429);
      expect(await attempt(target, 'carol', DEMO_PASSWORD, await from(target, '198.51.100.2'))).toBe(303);
    });

    it('keeps users behind other clients signing in after 20 failures from one client', async () => {
      const attacker = await from(target, '198.51.100.3');
      for (let i = 0; i < 20; i += 1) {
        expect(await attempt(target, `user${String(i)}`, 'guess', attacker)).toBe(200);
      }
      expect(await attempt(target, 'user-next', 'guess', attacker)).toBe(429);
      expect(await attempt(target, 'alice', DEMO_PASSWORD, await from(target, '198.51.100.4'))).toBe(303);
    });
  });

  describe('a client address nobody but the gateway signed', () => {
    it('is ignored: forged X-Forwarded-For and assertions from other services count against the sender', async () => {
      // As the local stack runs auth: it used to take the last X-Forwarded-For hop from anyone.
      const target = await startTarget({ AIRLOCK_AUTH_TRUST_PROXY: 'true' });
      for (let i = 0; i < 20; i += 1) {
        const forged: Record<string, string> =
          i % 2 === 0
            ? { 'x-forwarded-for': `203.0.113.${String(i)}` }
            : { [CLIENT_ADDRESS_HEADER]: await clientAddress(target, `203.0.113.${String(i)}`, 'orders') };
        expect(await attempt(target, `spray${String(i)}`, 'guess', forged)).toBe(200);
      }
      expect(await attempt(target, 'spray-next', 'guess', { 'x-forwarded-for': '203.0.113.200' })).toBe(429);
    });
  });
});
