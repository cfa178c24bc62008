// Builds web in-process with a fake auth (it records refreshes and revocations) and a stub gateway on a loopback
// port (it answers the API with what it received, and 401 for tokens the test marks dead), and a built shop.
import { copyFileSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express } from 'express';
import request from 'supertest';
import { createFetchDispatcher, createLogger } from '@airlock/service-kit';

import { createApp } from '../../src/app.js';
import type { AuthClient } from '../../src/oauth/auth-client.js';
import { SessionStore } from '../../src/session/session-store.js';
import type { SessionTokens } from '../../src/session/session-store.js';
import { WebError } from '../../src/web-error.js';

export const ORIGIN = 'http://127.0.0.1:8080';
/** The generated OpenAPI document (packages/openapi writes it), which the build serves at /openapi.json. */
export const OPENAPI_DOCUMENT = fileURLToPath(new URL('../../client/public/openapi.json', import.meta.url));
export const IDLE_MS = 60_000;
export const ABSOLUTE_MS = 10 * 60_000;

export interface FakeAuth extends AuthClient {
  readonly refreshed: string[];
  readonly revoked: { token: string; hint: string }[];
  refuseRefresh: boolean;
}

function fakeAuth(now: () => number): FakeAuth {
  let issued = 0;
  const tokens = (): SessionTokens => {
    issued += 1;
    return { accessToken: `at-${issued}`, refreshToken: `rt-${issued}`, accessExpiresAt: now() + 30_000 };
  };
  const auth: FakeAuth = {
    refreshed: [],
    revoked: [],
    refuseRefresh: false,
    startSignIn: () => ({
      pending: { kind: 'pending', state: 'state-1', codeVerifier: 'verifier', nonce: 'nonce' },
      url: `${ORIGIN}/auth/authorize?state=state-1`,
    }),
    finishSignIn: (pending, query) => {
      if (query.get('state') !== pending.state)
        return Promise.reject(new WebError('sign_in_failed', 'state'));
      return Promise.resolve({ user: 'alice', tokens: tokens() });
    },
    refresh: (refreshToken) => {
      auth.refreshed.push(refreshToken);
      if (auth.refuseRefresh) return Promise.reject(new WebError('refresh_failed', 'refused'));
      return Promise.resolve(tokens());
    },
    revoke: (token, hint) => {
      auth.revoked.push({ token, hint });
      return Promise.resolve();
    },
  };
  return auth;
}

export interface Harness {
  readonly app: Express;
  readonly auth: FakeAuth;
  readonly sessions: SessionStore;
  /** The built shop the app serves (an index.html and one asset). */
  readonly staticDir: string;
  /** Access tokens the stub gateway answers 401 for. */
  readonly deadTokens: Set<string>;
  /** Authorization headers the stub gateway received, in order. */
  readonly gatewaySaw: string[];
  /** The body length of each request the stub gateway received, in order. */
  readonly gatewayBodyBytes: number[];
  /** The Host header of each request the stub gateway received, in order. */
  readonly gatewayHosts: string[];
  advance(ms: number): void;
  /** Signs alice in through /bff/sign-in and /callback; returns the session cookie (name=value). */
  signIn(): Promise<string>;
  close(): Promise<void>;
}

/** The made-up name the stub gateway is reached by when a test asks for it (resolved to 127.0.0.1 by the test). */
export const GATEWAY_NAME = 'gateway.airlock.test';

export async function createHarness(
  options: { secure?: boolean; gatewayByName?: boolean } = {},
): Promise<Harness> {
  let clock = 1_000_000;
  const now = (): number => clock;
  const deadTokens = new Set<string>();
  const gatewaySaw: string[] = [];
  const gatewayBodyBytes: number[] = [];
  const gatewayHosts: string[] = [];
  const gateway: Server = createServer((req, res) => {
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.length;
    });
    // Answers once the whole body is in, as the gateway does.
    req.on('end', () => {
      answer(req, res, bodyBytes);
    });
  });
  const answer = (req: IncomingMessage, res: ServerResponse, bodyBytes: number): void => {
    gatewayBodyBytes.push(bodyBytes);
    gatewayHosts.push(req.headers.host ?? '');
    const authorization = req.headers.authorization ?? '';
    gatewaySaw.push(authorization);
    const dead = deadTokens.has(authorization.replace(/^Bearer /, ''));
    res.writeHead(dead ? 401 : 200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(dead ? { error: { code: 'invalid_token' } } : { path: req.url, method: req.method }),
    );
  };
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  const { port } = gateway.address() as AddressInfo;
  // By name, the app gets a service dispatcher as in production, its resolver the test's: loopback only.
  const gatewayUrl = new URL(`http://${options.gatewayByName === true ? GATEWAY_NAME : '127.0.0.1'}:${port}`);
  const gatewayDispatcher =
    options.gatewayByName === true
      ? createFetchDispatcher(gatewayUrl, { resolve: () => Promise.resolve(['127.0.0.1']) })
      : undefined;

  const staticDir = mkdtempSync(join(tmpdir(), 'airlock-web-test-'));
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(
    join(staticDir, 'index.html'),
    '<!doctype html><script type="module" src="/assets/a.js"></script>',
  );
  writeFileSync(join(staticDir, 'assets', 'a.js'), 'export {};');
  // The committed document, as Vite copies it into the build.
  copyFileSync(OPENAPI_DOCUMENT, join(staticDir, 'openapi.json'));

  const auth = fakeAuth(now);
  const sessions = new SessionStore({ idleMs: IDLE_MS, absoluteMs: ABSOLUTE_MS, maxSessions: 100, now });
  const app = createApp({
    logger: createLogger({ service: 'web', level: 'silent' }),
    auth,
    sessions,
    cookies: { secure: options.secure ?? false },
    publicOrigin: new URL(ORIGIN),
    gatewayUrl,
    ...(gatewayDispatcher === undefined ? {} : { gatewayDispatcher }),
    staticDir,
    now,
  });
  return {
    app,
    auth,
    sessions,
    staticDir,
    deadTokens,
    gatewaySaw,
    gatewayBodyBytes,
    gatewayHosts,
    advance: (ms) => {
      clock += ms;
    },
    signIn: async () => {
      const start = await request(app).get('/bff/sign-in');
      const pending = cookieOf(start.headers['set-cookie']);
      const callback = await request(app).get('/callback?state=state-1&code=c&iss=x').set('cookie', pending);
      if (callback.status !== 303) throw new Error(`callback answered ${callback.status}`);
      return cookieOf(callback.headers['set-cookie']);
    },
    close: async () => {
      await gatewayDispatcher?.close();
      await new Promise<void>((resolve) => {
        gateway.close(() => {
          resolve();
        });
      });
    },
  };
}

/** `name=value` of the first Set-Cookie. */
export function cookieOf(header: unknown): string {
  const first = Array.isArray(header) ? (header[0] as unknown) : header;
  if (typeof first !== 'string') throw new Error('no Set-Cookie');
  return first.split(';')[0] ?? '';
}
