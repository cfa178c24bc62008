// A stand-in for auth's token-exchange endpoint, for the gateway's own tests: it mints real ES256 `at+jwt`s
// for known opaque tokens, and on demand answers each kind of garbage the gateway must fail closed on.
// The acceptance tests use the real auth; this stub is what makes every bad answer reproducible.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { startStub, type StubServer } from './stub-server.js';

export const STUB_ISSUER = 'http://127.0.0.1:8080/auth';

export type StubAuthMode =
  | 'ok'
  | 'invalid_grant'
  | 'invalid_target'
  | 'status_500'
  | 'html'
  | 'empty_object'
  | 'active_string'
  | 'wrong_aud'
  | 'two_audiences'
  | 'expired'
  | 'non_jwt'
  | 'wrong_issuer'
  | 'wrong_typ'
  | 'no_actor'
  /** Answers as if the intent asked for had not been asked (a confused auth): the gateway must refuse it. */
  | 'drops_intent'
  | 'not_json'
  | 'slow'
  | 'hang_body'
  | 'reset';

export interface StubAuth {
  readonly server: StubServer;
  readonly url: string;
  mode: StubAuthMode;
  /** Seconds of life of minted JWTs (default 300). */
  jwtLifetimeSeconds: number;
  /** Delay before answering, for single-flight tests (ms). */
  delayMs: number;
  /** The stub's clock (epoch ms), shared with a gateway whose clock a test moves. */
  now: () => number;
  /** Number of token-exchange calls received. */
  readonly calls: () => number;
  /** The most token-exchange calls it was answering at once since the last reset. */
  readonly peakInFlight: () => number;
  resetPeak(): void;
  /** The public JWKS the minted tokens verify against. */
  readonly jwks: { keys: JWK[] };
  close(): Promise<void>;
}

/** Opaque tokens the stub knows: `token-<user>` belongs to `<user>`; anything else is invalid_grant. */
export function tokenFor(user: string): string {
  return `token-${user}-${'x'.repeat(24)}`;
}

function userOf(token: string): string | undefined {
  const match = /^token-(.+)-x{24}$/.exec(token);
  return match?.[1];
}

export async function startStubAuth(): Promise<StubAuth> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'stub-1', alg: 'ES256', use: 'sig' };
  let exchanges = 0;
  let inFlight = 0;
  let peak = 0;
  const state = { mode: 'ok' as StubAuthMode, jwtLifetimeSeconds: 300, delayMs: 0, now: Date.now };

  const mint = async (claims: Record<string, unknown>, typ = 'at+jwt'): Promise<string> =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'stub-1', typ }).sign(privateKey);

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(text);
  };

  const handler = async (req: IncomingMessage, res: ServerResponse, body: string): Promise<void> => {
    if (req.url === '/auth/jwks') {
      json(res, 200, { keys: [publicJwk] });
      return;
    }
    if (req.url !== '/auth/token' || req.method !== 'POST') {
      json(res, 404, { error: 'not_found' });
      return;
    }
    exchanges += 1;
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    try {
      await answerExchange(req, res, body);
    } finally {
      inFlight -= 1;
    }
  };

  const answerExchange = async (req: IncomingMessage, res: ServerResponse, body: string): Promise<void> => {
    if (state.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
    const form = new URLSearchParams(body);
    const audience = form.get('audience') ?? '';
    const user = userOf(form.get('subject_token') ?? '');
    const now = Math.floor(state.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: STUB_ISSUER,
      sub: user,
      aud: audience,
      client_id: 'airlock-cli',
      scope: 'orders',
      act: { sub: 'gateway' },
      iat: now,
      exp: now + state.jwtLifetimeSeconds,
      jti: `jti-${exchanges}`,
      // Like auth: a user's intent asked for is carried as it was asked (the gateway checks it came back).
      ...intentOf(form.get('authorization_details')),
    };
    const answer = (accessToken: string): void => {
      json(res, 200, {
        access_token: accessToken,
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        token_type: 'Bearer',
        expires_in: state.jwtLifetimeSeconds,
      });
    };
    switch (state.mode) {
      case 'ok':
        if (
          user === undefined ||
          form.get('client_id') !== 'gateway' ||
          form.get('client_assertion') === null
        ) {
          json(res, 400, { error: 'invalid_grant', error_description: 'subject token is not active' });
          return;
        }
        answer(await mint(claims));
        return;
      case 'invalid_grant':
        json(res, 400, { error: 'invalid_grant' });
        return;
      case 'invalid_target':
        json(res, 400, { error: 'invalid_target' });
        return;
      case 'status_500':
        json(res, 500, { error: 'server_error' });
        return;
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body>Welcome</body></html>');
        return;
      case 'empty_object':
        json(res, 200, {});
        return;
      case 'active_string':
        json(res, 200, { active: 'true' });
        return;
      case 'wrong_aud':
        answer(await mint({ ...claims, aud: 'payments' }));
        return;
      case 'two_audiences':
        answer(await mint({ ...claims, aud: [audience, 'payments'] }));
        return;
      case 'expired':
        answer(await mint({ ...claims, iat: now - 600, exp: now - 300 }));
        return;
      case 'non_jwt':
        answer('opaque-looking-access-token-not-a-jwt');
        return;
      case 'wrong_issuer':
        answer(await mint({ ...claims, iss: 'http://evil.example/auth' }));
        return;
      case 'wrong_typ':
        answer(await mint(claims, 'JWT'));
        return;
      case 'drops_intent':
        answer(await mint({ ...claims, authorization_details: undefined }));
        return;
      case 'no_actor':
        answer(await mint({ ...claims, act: undefined }));
        return;
      case 'not_json':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"access_token": ');
        return;
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, 5_000));
        if (!res.destroyed) answer(await mint(claims));
        return;
      case 'hang_body':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"access_token":');
        return;
      case 'reset':
        req.socket.destroy();
        return;
    }
  };

  const server = await startStub(handler);
  return {
    server,
    url: server.url,
    get mode() {
      return state.mode;
    },
    set mode(value: StubAuthMode) {
      state.mode = value;
    },
    get jwtLifetimeSeconds() {
      return state.jwtLifetimeSeconds;
    },
    set jwtLifetimeSeconds(value: number) {
      state.jwtLifetimeSeconds = value;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(value: number) {
      state.delayMs = value;
    },
    get now() {
      return state.now;
    },
    set now(value: () => number) {
      state.now = value;
    },
    calls: () => exchanges,
    peakInFlight: () => peak,
    resetPeak: () => {
      peak = inFlight;
    },
    jwks: { keys: [publicJwk] },
    close: () => server.close(),
  };
}

function intentOf(raw: string | null): Record<string, unknown> {
  return raw === null ? {} : { authorization_details: JSON.parse(raw) as unknown };
}
