// The real auth (apps/auth's createApp, in process, on a loopback port, with a data folder of its own) behind a
// real gateway whose public origin is the issuer's, plus a stub standing in for orders. The gateway's workload
// key is generated into auth's data folder, as it would be on first start of the local stack.
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { createLogger } from '@airlock/service-kit';
import { createClientAssertion, ensureWorkloadKeyPair } from '@airlock/workload-identity';
// apps/auth publishes no entry point (it is a service); its built modules are what its own index.ts runs.
import { createApp, type AuthApp } from '@airlock/auth/app';
import { parseAuthConfig } from '@airlock/auth/config';
import { createGateway, type Gateway } from '../../src/app.js';
import { auditLineSink, type EdgeDecision } from '../../src/audit.js';
import { parseGatewayConfig } from '../../src/config.js';

/** Made per test run: the repository holds no password, not even a test one. */
export const DEMO_PASSWORD = randomBytes(18).toString('base64url');
export const CLI_CLIENT_ID = 'airlock-cli';
/** RFC 8252 loopback redirect; nothing needs to listen there, the test stops at it. */
export const CLI_REDIRECT_URI = 'http://127.0.0.1:53682/callback';

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}

export interface RealStack {
  readonly gatewayUrl: string;
  readonly issuer: string;
  readonly authOrigin: string;
  readonly gateway: Gateway;
  readonly decisions: EdgeDecision[];
  /** Stops auth (the gateway keeps running): for fail-closed tests. */
  stopAuth(): Promise<void>;
  close(): Promise<void>;
}

export async function startRealStack(options: {
  ordersUrl: string;
  env?: Record<string, string>;
}): Promise<RealStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'airlock-gateway-acceptance-'));
  // The gateway listens first: its origin is the issuer auth must advertise.
  const gatewayServer = createServer({ maxHeaderSize: 8 * 1024 });
  const gatewayPort = await listen(gatewayServer);
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const issuer = `${gatewayUrl}/auth`;

  const keys = await ensureWorkloadKeyPair({ dataDir, service: 'gateway' });
  const authServer = createServer();
  const authPort = await listen(authServer);
  const authOrigin = `http://127.0.0.1:${authPort}`;
  const auth: AuthApp = await createApp({
    config: parseAuthConfig({
      AIRLOCK_DATA_DIR: dataDir,
      AIRLOCK_AUTH_ISSUER: issuer,
      AIRLOCK_DEMO_PASSWORD: DEMO_PASSWORD,
      AIRLOCK_AUTH_WEB_REDIRECT_URIS: `${gatewayUrl}/callback`,
      AIRLOCK_AUTH_TRUST_PROXY: 'true',
      LOG_LEVEL: 'silent',
    }),
    logger: createLogger({ service: 'auth', level: 'silent' }),
    watchSigningKeys: false,
  });
  authServer.on('request', auth.app);

  const config = parseGatewayConfig({
    AIRLOCK_AUTH_ISSUER: issuer,
    AIRLOCK_AUTH_URL: authOrigin,
    AIRLOCK_ORDERS_URL: options.ordersUrl,
    AIRLOCK_IMAGE_PROCESSOR_URL: 'http://127.0.0.1:9',
    AIRLOCK_DATA_DIR: dataDir,
    ...options.env,
  });
  const decisions: EdgeDecision[] = [];
  const auditLines = auditLineSink({ service: 'gateway', destination: { write: () => true } });
  const gateway = createGateway({
    config,
    logger: createLogger({ service: 'gateway', level: 'silent' }),
    audit: (decision) => {
      decisions.push(decision);
      auditLines(decision);
    },
    clientAssertion: () =>
      createClientAssertion({
        service: 'gateway',
        privateKey: keys.privateKey,
        kid: keys.kid,
        audience: issuer,
      }),
  });
  gatewayServer.on('request', gateway.handle);
  gatewayServer.on('clientError', gateway.onClientError);

  let authStopped = false;
  const stopAuth = async (): Promise<void> => {
    if (authStopped) return;
    authStopped = true;
    await close(authServer);
    await auth.close();
  };
  return {
    gatewayUrl,
    issuer,
    authOrigin,
    gateway,
    decisions,
    stopAuth,
    close: async () => {
      await close(gatewayServer);
      await gateway.close();
      await stopAuth();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A browser's worth of HTTP for the sign-in flow: a cookie jar and manual redirects. */
class CookieJar {
  readonly #cookies = new Map<string, string>();

  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async fetch(url: URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#cookies.size > 0) headers.set('cookie', this.header());
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
    return response;
  }
}

const isCallback = (url: URL): boolean => url.href.startsWith(CLI_REDIRECT_URI);

async function follow(jar: CookieJar, start: URL): Promise<{ url: URL; response: Response | undefined }> {
  let url = start;
  for (let hop = 0; hop < 10; hop += 1) {
    if (isCallback(url)) return { url, response: undefined };
    const response = await jar.fetch(url);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || location === null) return { url, response };
    await response.body?.cancel();
    url = new URL(location, url);
  }
  throw new Error('too many redirects');
}

export interface SignedIn {
  readonly accessToken: string;
  readonly tokenResponse: Record<string, unknown>;
  /** Every URL the browser visited: all on the gateway's origin or the client's redirect URI. */
  readonly visited: readonly string[];
}

/** Authorization code + PKCE for the CLI client, entirely through the gateway's /auth routes. */
export async function signInThroughGateway(
  gatewayUrl: string,
  username: string,
  scope = 'openid orders images',
): Promise<SignedIn> {
  const jar = new CookieJar();
  const visited: string[] = [];
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(16).toString('base64url');
  const authorize = new URL(`${gatewayUrl}/auth/authorize`);
  authorize.search = new URLSearchParams({
    client_id: CLI_CLIENT_ID,
    response_type: 'code',
    redirect_uri: CLI_REDIRECT_URI,
    scope,
    state,
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();

  const page = await follow(jar, authorize);
  visited.push(page.url.href);
  const html = (await page.response?.text()) ?? '';
  if (page.response?.status !== 200 || !html.includes('name="password"')) {
    throw new Error(`expected the login page, got ${String(page.response?.status)}: ${html.slice(0, 300)}`);
  }
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (action === undefined) throw new Error('no form on the login page');
  const posted = await jar.fetch(new URL(action.replaceAll('&amp;', '&'), page.url), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: new URL(gatewayUrl).origin,
      'sec-fetch-site': 'same-origin',
    },
    body: new URLSearchParams({ username, password: DEMO_PASSWORD }).toString(),
  });
  const location = posted.headers.get('location');
  if (location === null)
    throw new Error(`login did not redirect: ${posted.status} ${(await posted.text()).slice(0, 300)}`);
  const done = await follow(jar, new URL(location, page.url));
  visited.push(done.url.href);
  if (!isCallback(done.url)) throw new Error(`did not return to the client: ${done.url.href}`);
  if (done.url.searchParams.get('state') !== state) throw new Error('state mismatch');
  const code = done.url.searchParams.get('code');
  if (code === null) throw new Error(`no code: ${done.url.href}`);

  const tokenResponse = await fetch(`${gatewayUrl}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: CLI_REDIRECT_URI,
      client_id: CLI_CLIENT_ID,
      code_verifier: verifier,
    }).toString(),
  });
  const body = (await tokenResponse.json()) as Record<string, unknown>;
  if (tokenResponse.status !== 200 || typeof body.access_token !== 'string') {
    throw new Error(`token endpoint answered ${tokenResponse.status}: ${JSON.stringify(body)}`);
  }
  return { accessToken: body.access_token, tokenResponse: body, visited };
}

/** RFC 7009 revocation through the gateway, as the CLI would. */
export async function revokeThroughGateway(gatewayUrl: string, token: string): Promise<number> {
  const response = await fetch(`${gatewayUrl}/auth/token/revocation`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      token,
      token_type_hint: 'access_token',
      client_id: CLI_CLIENT_ID,
    }).toString(),
  });
  await response.body?.cancel();
  return response.status;
}
