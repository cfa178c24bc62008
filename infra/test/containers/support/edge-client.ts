// The client side of the proofs, on the host: what anyone on the machine can do against the one published port.
// It signs in with @airlock/client (authorization code + PKCE through the gateway, the real login form) and
// records every response it is shown (status, headers, body), so a proof can scan what a client ever saw.
import { randomUUID } from 'node:crypto';
import { discoverPublicClient, revokeToken, signInHeadless } from '@airlock/client/public-client';
import type { LaunchedStack } from './stack-launcher.js';

/** RFC 8252 loopback redirect of the CLI client; the suite stops at it and never listens there. */
const REDIRECT_URI = 'http://127.0.0.1:49152/callback';

export interface SeenResponse {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly headers: string;
  readonly body: string;
}

export interface ApiAnswer {
  readonly status: number;
  readonly body: string;
  readonly durationMs: number;
}

const seen: SeenResponse[] = [];
let recording = false;
const originalFetch = globalThis.fetch;

/** Every response the client sees from now on is kept (requests from the test itself included). */
export function recordClientResponses(): readonly SeenResponse[] {
  seen.length = 0;
  if (!recording) {
    recording = true;
    globalThis.fetch = async (input, init) => {
      const response = await originalFetch(input, init);
      const copy = response.clone();
      const url = input instanceof Request ? input.url : String(input);
      seen.push({
        method: init?.method ?? (input instanceof Request ? input.method : 'GET'),
        url,
        status: response.status,
        headers: [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n'),
        body: await copy.text(),
      });
      return response;
    };
  }
  return seen;
}

export function stopRecording(): void {
  globalThis.fetch = originalFetch;
  recording = false;
}

export interface SignedIn {
  readonly accessToken: string;
  readonly idToken: string | undefined;
  readonly refreshToken: string | undefined;
  /** The access token's lifetime as the token endpoint stated it (seconds). */
  readonly expiresIn: number | undefined;
}

/** What a client knows of a stack: where its edge answers, and the demo users' password. */
export type EdgeTarget = Pick<LaunchedStack, 'publicOrigin' | 'demoPassword'>;

export class EdgeClient {
  readonly #stack: EdgeTarget;

  constructor(stack: EdgeTarget) {
    this.#stack = stack;
  }

  get issuer(): string {
    return `${this.#stack.publicOrigin}/auth`;
  }

  /** Signs in through the edge; `scope` beyond the default asks for more (e.g. `admin` for an admin). */
  async signIn(username: string, scope = 'openid orders images'): Promise<SignedIn> {
    const config = await discoverPublicClient(this.issuer);
    const { tokens } = await signInHeadless(config, {
      redirectUri: REDIRECT_URI,
      scope,
      username,
      password: this.#stack.demoPassword,
    });
    return {
      accessToken: tokens.access_token,
      idToken: tokens.id_token,
      refreshToken: tokens.refresh_token,
      expiresIn: tokens.expires_in,
    };
  }

  async revoke(accessToken: string): Promise<void> {
    await revokeToken(await discoverPublicClient(this.issuer), accessToken);
  }

  async call(
    method: string,
    path: string,
    token: string | undefined,
    body?: { readonly json: unknown } | { readonly bytes: Uint8Array; readonly contentType: string },
    headers: Readonly<Record<string, string>> = {},
  ): Promise<ApiAnswer> {
    const started = performance.now();
    const response = await fetch(`${this.#stack.publicOrigin}${path}`, {
      method,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined
          ? {}
          : { 'content-type': 'json' in body ? 'application/json' : body.contentType }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: 'json' in body ? JSON.stringify(body.json) : body.bytes }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    return { status: response.status, body: text, durationMs: Math.round(performance.now() - started) };
  }

  /** A signed-in user's order of the first catalog item, paid; returns what each step answered. */
  async orderAndPay(
    token: string,
  ): Promise<{ catalog: ApiAnswer; created: ApiAnswer; read?: ApiAnswer; paid?: ApiAnswer }> {
    const catalog = await this.call('GET', '/api/catalog', token);
    const sku = firstSku(catalog.body);
    const created = await this.call('POST', '/api/orders', token, {
      json: { items: [{ sku, quantity: 1 }] },
    });
    const id = idOf(created.body);
    if (id === undefined) return { catalog, created };
    const read = await this.call('GET', `/api/orders/${id}`, token);
    const paid = await this.call('POST', `/api/orders/${id}/pay`, token, undefined, {
      'idempotency-key': randomUUID(),
    });
    return { catalog, created, read, paid };
  }
}

/** The first catalog item's sku in a catalog answer (a list, or `{ items }`). */
export function firstSku(body: string): string {
  try {
    const parsed = JSON.parse(body) as unknown;
    const items = Array.isArray(parsed) ? parsed : (parsed as { items?: unknown }).items;
    const first = Array.isArray(items) ? (items[0] as { sku?: unknown } | undefined) : undefined;
    return typeof first?.sku === 'string' ? first.sku : 'unknown-sku';
  } catch {
    return 'unknown-sku';
  }
}

function idOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { id?: unknown; order?: { id?: unknown } };
    const id = parsed.id ?? parsed.order?.id;
    return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
  } catch {
    return undefined;
  }
}

/** Compact JWS-shaped strings (header.payload.signature, both JSON parts base64url of `{"`). */
export const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+/g;

export interface DecodedJwt {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
}

export function decodeJwt(jwt: string): DecodedJwt | undefined {
  const [header, claims] = jwt.split('.');
  try {
    return {
      header: JSON.parse(Buffer.from(header ?? '', 'base64url').toString('utf8')) as Record<string, unknown>,
      claims: JSON.parse(Buffer.from(claims ?? '', 'base64url').toString('utf8')) as Record<string, unknown>,
    };
  } catch {
    return undefined;
  }
}
