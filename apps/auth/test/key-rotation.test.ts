// Acceptance: signing-key rotation with overlap, driven by the rotate-keys command against the running auth, on
// either engine of its store. During the overlap, tokens signed by the old and the new key both verify with
// @airlock/token-verification; after retirement only the new one does. Each step is refused until it is safe.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTokenVerifier } from '@airlock/token-verification';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type * as client from 'openid-client';
import { runRotateKeys } from '../src/cli/run-rotate-keys.js';
import { readSigningKeySet } from '../src/keys/signing-key-file.js';
import { rotationTimings } from '../src/keys/rotation-timings.js';
import { promotionDelay, retirementDelay } from '../src/keys/signing-key-set.js';
import { removeDataDir, startAuth, type RunningAuth } from './support/auth-server.js';
import { startLoopbackCallback, type LoopbackCallback } from '@airlock/client/loopback-callback';
import { codeFlow, discoverPublicClient } from './support/oauth-client.js';
import {
  exchangeAs,
  setUpWorkloads,
  type Workloads,
  chargeDetails,
  intentDetails,
} from './support/workloads.js';
import { DATABASE_ENGINES, useTestDatabases } from '@airlock/testing/database-engines';

const JWKS_CACHE_MAX_AGE = 300;
const timings = rotationTimings(JWKS_CACHE_MAX_AGE);

describe.each(DATABASE_ENGINES)('on %s', (engine) => {
  const databases = useTestDatabases(engine);

  let server: RunningAuth;
  let workloads: Workloads;
  let cli: client.Configuration;
  let loopback: LoopbackCallback;
  let aliceToken: string;

  async function rotate(command: string, at: number): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runRotateKeys([command], {
      authDir: `${server.dataDir}/auth`,
      jwksCacheMaxAgeSeconds: JWKS_CACHE_MAX_AGE,
      now: () => at,
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  async function mint(): Promise<string> {
    const { status, body } = await exchangeAs(workloads, 'gateway', {
      subject_token: aliceToken,
      audience: 'orders',
      // As on a pay request: the orders token carries alice's intent, which orders redeems onward below.
      authorization_details: intentDetails(),
    });
    expect(status).toBe(200);
    return String(body.access_token);
  }

  /** A consumer that has never seen the JWKS: what any service sees after its cache expires. */
  function freshVerifier(audience = 'orders') {
    return createTokenVerifier({
      issuer: server.issuer,
      audience,
      algorithms: ['ES256'],
      jwks: new URL(`${server.issuer}/jwks`),
    });
  }

  async function publishedKids(): Promise<string[]> {
    const jwks = (await (await fetch(`${server.issuer}/jwks`)).json()) as { keys: { kid: string }[] };
    return jwks.keys.map((key) => key.kid);
  }

  beforeAll(async () => {
    server = await startAuth({
      database: await databases.next(),
      env: { AIRLOCK_AUTH_JWKS_CACHE_MAX_AGE_SECONDS: String(JWKS_CACHE_MAX_AGE) },
    });
    workloads = await setUpWorkloads(server);
    cli = await discoverPublicClient(server.issuer, 'airlock-cli');
    loopback = await startLoopbackCallback();
    aliceToken = (
      await codeFlow(cli, { redirectUri: loopback.redirectUri, scope: 'openid orders', username: 'alice' })
    ).tokens.access_token;
  });

  afterAll(async () => {
    await loopback.close();
    await server.stop();
    await removeDataDir(server.dataDir);
  });

  describe('a full rotation: stage, promote, retire', () => {
    const start = Math.floor(Date.now() / 1000);
    let oldKid: string;
    let newKid: string;
    let oldJwt: string;
    let newJwt: string;

    it('starts with one active key that signs everything', async () => {
      oldKid = server.auth.signingKeys().activeKid;
      oldJwt = await mint();
      expect(decodeProtectedHeader(oldJwt).kid).toBe(oldKid);
      expect(await publishedKids()).toEqual([oldKid]);
    });

    it('refuses to promote or retire when there is nothing to', async () => {
      expect(await rotate('promote', start)).toMatchObject({
        code: 1,
        err: expect.stringContaining('nothing_staged'),
      });
      expect(await rotate('retire', start)).toMatchObject({
        code: 1,
        err: expect.stringContaining('nothing_to_retire'),
      });
    });

    it('stage: publishes the new key first, while the old key keeps signing', async () => {
      expect((await rotate('stage', start)).code).toBe(0);
      expect(await server.auth.reloadSigningKeys()).toBe(true);
      const staged = (await readSigningKeySet(`${server.dataDir}/auth`))?.keys.find(
        (key) => key.status === 'staged',
      );
      newKid = staged?.kid ?? '';
      expect(await publishedKids()).toEqual([oldKid, newKid]);
      expect(decodeProtectedHeader(await mint()).kid).toBe(oldKid);
      expect(await rotate('stage', start)).toMatchObject({
        code: 1,
        err: expect.stringContaining('already_staged'),
      });
    });

    it('promote: refused until consumers may have fetched the new key, then the new key signs', async () => {
      const tooEarly = await rotate('promote', start + promotionDelay(timings) - 1);
      expect(tooEarly).toMatchObject({ code: 1, err: expect.stringContaining('too_early') });
      expect((await rotate('promote', start + promotionDelay(timings))).code).toBe(0);
      expect(await server.auth.reloadSigningKeys()).toBe(true);
      expect(server.auth.signingKeys().activeKid).toBe(newKid);
      newJwt = await mint();
      expect(decodeProtectedHeader(newJwt).kid).toBe(newKid);
      expect(await publishedKids()).toEqual([newKid, oldKid]);
    });

    it('signs ID tokens with the new key too', async () => {
      const { tokens } = await codeFlow(cli, {
        redirectUri: loopback.redirectUri,
        scope: 'openid',
        username: 'bob',
      });
      expect(decodeProtectedHeader(tokens.id_token ?? '').kid).toBe(newKid);
    });

    it('overlap: tokens of the old and the new key both verify, and both can be exchanged onward', async () => {
      const verifier = freshVerifier();
      await expect(verifier.verify(oldJwt)).resolves.toMatchObject({ sub: 'alice', header: { kid: oldKid } });
      await expect(verifier.verify(newJwt)).resolves.toMatchObject({ sub: 'alice', header: { kid: newKid } });
      const onward = await exchangeAs(workloads, 'orders', {
        subject_token: oldJwt,
        audience: 'payments',
        authorization_details: chargeDetails(),
      });
      expect(onward.status).toBe(200);
    });

    it('retire: refused while the old key may still have live tokens, then it is withdrawn', async () => {
      const promotedAt = start + promotionDelay(timings);
      const tooEarly = await rotate('retire', promotedAt + retirementDelay(timings) - 1);
      expect(tooEarly).toMatchObject({ code: 1, err: expect.stringContaining('too_early') });
      // Retirement waits for every token the old key signed to expire: longer than any of them lives.
      expect(retirementDelay(timings)).toBeGreaterThan(
        Number(decodeJwt(oldJwt).exp) - Number(decodeJwt(oldJwt).iat),
      );
      expect((await rotate('retire', promotedAt + retirementDelay(timings))).code).toBe(0);
      expect(await server.auth.reloadSigningKeys()).toBe(true);
      expect(await publishedKids()).toEqual([newKid]);
    });

    it('after the overlap only the new key verifies', async () => {
      const verifier = freshVerifier();
      await expect(verifier.verify(newJwt)).resolves.toMatchObject({ header: { kid: newKid } });
      await expect(verifier.verify(oldJwt)).rejects.toMatchObject({ code: 'key_not_found' });
      // Auth itself no longer trusts the withdrawn key either.
      const onward = await exchangeAs(workloads, 'orders', { subject_token: oldJwt, audience: 'payments' });
      expect(onward).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    });
  });

  describe('the running server follows the key file', () => {
    it('picks up a staged key within seconds, without a restart or an explicit reload', async () => {
      const watched = await startAuth({ database: await databases.next(), watchSigningKeys: true });
      try {
        const before = (await (await fetch(`${watched.issuer}/jwks`)).json()) as { keys: unknown[] };
        expect(before.keys).toHaveLength(1);
        const code = await runRotateKeys(['stage'], {
          authDir: `${watched.dataDir}/auth`,
          jwksCacheMaxAgeSeconds: JWKS_CACHE_MAX_AGE,
          now: () => Math.floor(Date.now() / 1000),
          out: () => undefined,
          err: () => undefined,
        });
        expect(code).toBe(0);
        const deadline = Date.now() + 5000;
        let count = 1;
        while (count < 2 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          count = ((await (await fetch(`${watched.issuer}/jwks`)).json()) as { keys: unknown[] }).keys.length;
        }
        expect(count).toBe(2);
      } finally {
        await watched.stop();
        await removeDataDir(watched.dataDir);
      }
    });

    it('keeps its keys when the file is broken', async () => {
      const { writeFile } = await import('node:fs/promises');
      const kids = await publishedKids();
      await writeFile(`${server.dataDir}/auth/signing-keys.json`, '{"version":1,"keys":[]}', { mode: 0o600 });
      await expect(server.auth.reloadSigningKeys()).rejects.toMatchObject({ code: 'invalid_key_file' });
      expect(await publishedKids()).toEqual(kids);
      expect(decodeProtectedHeader(await mint()).kid).toBe(kids[0]);
    });
  });

  describe('the rotate-keys command', () => {
    it('runs as a program (the built bin) and prints the key states', async () => {
      // turbo builds auth before its tests (apps/auth/turbo.json); run `pnpm build` first when calling jest directly.
      const bin = fileURLToPath(new URL('../dist/cli/rotate-keys.js', import.meta.url));
      const fresh = await startAuth({ database: await databases.next() });
      try {
        const { stdout } = await promisify(execFile)(process.execPath, [bin, 'status'], {
          env: { ...process.env, AIRLOCK_DATA_DIR: fresh.dataDir },
        });
        expect(stdout).toMatch(new RegExp(`^active\\s+${fresh.auth.signingKeys().activeKid}`, 'm'));
      } finally {
        await fresh.stop();
        await removeDataDir(fresh.dataDir);
      }
    });

    it('prints usage for anything else', async () => {
      expect((await rotate('spin', Math.floor(Date.now() / 1000))).code).toBe(2);
    });
  });
});
