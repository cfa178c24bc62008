// Two auth processes on one PostgreSQL database (issue 12), as `./airlock start --shared-state` runs them: they
// share the issuer, the data folder (signing and cookie keys) and the database. A user signs in at replica A
// (authorization code + PKCE); the code is redeemed, the token introspected, exchanged and refreshed at replica
// B; a token revoked at B is refused at A, and a refresh token rotated at B is spent at A too.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signIn } from '@airlock/client/browser';
import { useTestDatabases } from '@airlock/testing/database-engines';

import { DEMO_PASSWORD, removeDataDir, startAuth, type RunningAuth } from './support/auth-server.js';
import { authorizationUrl, pkcePair } from './support/interaction.js';
import {
  exchangeAs,
  introspect,
  postForm,
  setUpWorkloads,
  type FormResponse,
  type Workloads,
} from './support/workloads.js';

/** A loopback redirect URI of the CLI: any port is allowed, and the test stops at it without requesting it. */
const REDIRECT_URI = 'http://127.0.0.1:49152/callback';

const databases = useTestDatabases('postgres');
let replicaA: RunningAuth;
let replicaB: RunningAuth;
/** The workloads as they talk to A, and to B (the same keys and issuer, another origin). */
let atA: Workloads;
let atB: Workloads;

beforeAll(async () => {
  const database = await databases.next();
  replicaA = await startAuth({ database });
  replicaB = await startAuth({
    database,
    dataDir: replicaA.dataDir,
    env: { AIRLOCK_AUTH_ISSUER: replicaA.issuer },
  });
  atA = await setUpWorkloads(replicaA);
  atB = { ...atA, endpoint: `${replicaB.origin}/auth` };
}, 60_000);

afterAll(async () => {
  await replicaB.stop();
  await replicaA.stop();
  await removeDataDir(replicaA.dataDir);
});

/** Signs `username` in at replica A and returns the authorization code and its PKCE verifier. */
async function codeFromA(username: string, scope: string): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkcePair();
  const { callback } = await signIn(
    authorizationUrl(replicaA.issuer, {
      scope,
      redirect_uri: REDIRECT_URI,
      code_challenge: challenge,
      ...(scope.includes('offline_access') ? { prompt: 'consent' } : {}),
    }),
    { username, password: DEMO_PASSWORD },
    (url) => url.href.startsWith(REDIRECT_URI),
  );
  const code = callback.searchParams.get('code');
  if (code === null) throw new Error(`no code in the callback: ${callback.href}`);
  return { code, verifier };
}

/** A request of the public CLI client to a replica's token endpoint (or another endpoint under /auth). */
function cliPost(
  replica: RunningAuth,
  path: string,
  fields: Readonly<Record<string, string>>,
): Promise<FormResponse> {
  return postForm(`${replica.origin}/auth${path}`, { client_id: 'airlock-cli', ...fields });
}

function redeemAt(replica: RunningAuth, code: string, verifier: string): Promise<FormResponse> {
  return cliPost(replica, '/token', {
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    redirect_uri: REDIRECT_URI,
  });
}

function tokenOf(response: FormResponse, field: 'access_token' | 'refresh_token'): string {
  expect({ status: response.status, error: response.body.error }).toEqual({ status: 200, error: undefined });
  const token = response.body[field];
  if (typeof token !== 'string') throw new Error(`no ${field} in ${JSON.stringify(response.body)}`);
  return token;
}

describe('two auth replicas on one PostgreSQL database', () => {
  it('redeems at B a code issued at A, once: a second redemption at A is refused', async () => {
    const { code, verifier } = await codeFromA('alice', 'openid orders');
    const accessToken = tokenOf(await redeemAt(replicaB, code, verifier), 'access_token');
    expect(await introspect(atA, 'gateway', accessToken)).toMatchObject({ active: true, sub: 'alice' });
    const replayed = await redeemAt(replicaA, code, verifier);
    expect(replayed.status).toBe(400);
    expect(replayed.body.error).toBe('invalid_grant');
  });

  it('introspects and exchanges at B what A issued, and refreshes at B with rotation seen at A', async () => {
    const { code, verifier } = await codeFromA('alice', 'openid offline_access orders');
    const issued = await redeemAt(replicaA, code, verifier);
    const accessToken = tokenOf(issued, 'access_token');
    const refreshToken = tokenOf(issued, 'refresh_token');

    expect(await introspect(atB, 'gateway', accessToken)).toMatchObject({ active: true, sub: 'alice' });
    const exchanged = await exchangeAs(atB, 'gateway', { subject_token: accessToken, audience: 'orders' });
    expect(tokenOf(exchanged, 'access_token').split('.')).toHaveLength(3);

    const refreshed = await cliPost(replicaB, '/token', {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
    const rotatedAccess = tokenOf(refreshed, 'access_token');
    expect(await introspect(atA, 'gateway', rotatedAccess)).toMatchObject({ active: true, sub: 'alice' });
    // The old refresh token was rotated at B: reusing it at A is refused and revokes the whole family.
    const reused = await cliPost(replicaA, '/token', {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
    expect(reused.body.error).toBe('invalid_grant');
    expect(await introspect(atB, 'gateway', rotatedAccess)).toEqual({ active: false });
  });

  it('refuses at A a token revoked at B: introspection and token exchange', async () => {
    const { code, verifier } = await codeFromA('bob', 'openid orders');
    const accessToken = tokenOf(await redeemAt(replicaA, code, verifier), 'access_token');
    expect(await introspect(atA, 'gateway', accessToken)).toMatchObject({ active: true, sub: 'bob' });

    const revoked = await cliPost(replicaB, '/token/revocation', {
      token: accessToken,
      token_type_hint: 'access_token',
    });
    expect(revoked.status).toBe(200);

    expect(await introspect(atA, 'gateway', accessToken)).toEqual({ active: false });
    const exchanged = await exchangeAs(atA, 'gateway', { subject_token: accessToken, audience: 'orders' });
    expect(exchanged.status).toBe(400);
    expect(exchanged.body.error).toBe('invalid_grant');
    expect(exchanged.body.access_token).toBeUndefined();
  });
});
