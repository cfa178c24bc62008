// web as a confidential OAuth client of auth: authorization code with PKCE (S256), client authentication with
// private_key_jwt (web's workload key), refresh and revocation. The back channel goes through the gateway's
// public auth routes, so web is never admitted into auth's enclave. Nothing here is ever sent to a browser.
import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { JWTVerifyGetKey } from 'jose';
import { createClientAssertion, JWT_BEARER_CLIENT_ASSERTION } from '@airlock/workload-identity';
import type { WorkloadKeyPair } from '@airlock/workload-identity';
import type { FetchDispatcher } from '@airlock/service-kit';
import { z } from 'zod';

import type { PendingSignIn, SessionTokens } from '../session/session-store.js';
import { WebError } from '../web-error.js';

/** What the shop asks for: its API scopes, a refresh token, and an ID token that names the user. */
export const SHOP_SCOPE = 'openid offline_access orders images';
/** auth signs ID tokens with this algorithm only. */
const ID_TOKEN_ALGORITHMS = ['ES256'];
/** An access token is refreshed this long before auth says it expires. */
const EXPIRY_MARGIN_MS = 30_000;
const REQUEST_TIMEOUT_MS = 10_000;

const tokenResponseSchema = z.object({
  access_token: z.string().min(1).max(4096),
  token_type: z.string().regex(/^bearer$/i),
  expires_in: z.number().int().positive(),
  refresh_token: z.string().min(1).max(4096).optional(),
  id_token: z.string().min(1).max(8192).optional(),
});

export interface AuthClientOptions {
  /** auth's issuer identifier (the public one the browser sees, e.g. http://127.0.0.1:8080/auth). */
  readonly issuer: string;
  /** The gateway as web reaches it; auth's endpoints are at the issuer's path under it. */
  readonly gatewayUrl: URL;
  readonly clientId: string;
  readonly keyPair: WorkloadKeyPair;
  readonly redirectUri: string;
  /** auth's signing keys (through the gateway), for the ID token. */
  readonly jwksUrl: URL;
  /** Spreads the back-channel calls over every gateway replica (createFetchDispatcher); else fetch's default. */
  readonly dispatcher?: FetchDispatcher;
  readonly now?: () => number;
}

export interface SignInResult {
  readonly user: string;
  readonly tokens: SessionTokens;
}

export interface AuthClient {
  /** A fresh pending sign-in and the authorization URL that starts it. */
  startSignIn(): { readonly pending: PendingSignIn; readonly url: string };
  /** Redeems the callback's code; throws WebError `sign_in_failed` on any mismatch or refusal. */
  finishSignIn(pending: PendingSignIn, callback: URLSearchParams): Promise<SignInResult>;
  /** New tokens for a refresh token; throws WebError `refresh_failed` when auth refuses. */
  refresh(refreshToken: string): Promise<SessionTokens>;
  /** Revokes one token at auth (RFC 7009); throws WebError `revocation_failed` when auth does not confirm. */
  revoke(token: string, hint: 'access_token' | 'refresh_token'): Promise<void>;
}

function random(): string {
  return randomBytes(32).toString('base64url');
}

export function createAuthClient(options: AuthClientOptions): AuthClient {
  const now = options.now ?? Date.now;
  const issuerPath = new URL(options.issuer).pathname.replace(/\/$/, '');
  const backChannel = (endpoint: string): URL => new URL(`${issuerPath}${endpoint}`, options.gatewayUrl);
  const jwks: JWTVerifyGetKey = createRemoteJWKSet(options.jwksUrl);

  const post = async (endpoint: string, form: Record<string, string>): Promise<Response> => {
    const assertion = await createClientAssertion({
      service: options.clientId,
      privateKey: options.keyPair.privateKey,
      kid: options.keyPair.kid,
      audience: options.issuer,
    });
    return fetch(backChannel(endpoint), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        ...form,
        client_id: options.clientId,
        client_assertion_type: JWT_BEARER_CLIENT_ASSERTION,
        client_assertion: assertion,
      }),
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
    });
  };

  const tokensFrom = async (response: Response, code: 'sign_in_failed' | 'refresh_failed') => {
    if (!response.ok) throw new WebError(code, `auth answered ${response.status}`);
    const parsed = tokenResponseSchema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new WebError(code, 'auth answered an unexpected token response');
    return parsed.data;
  };

  const sessionTokens = (body: z.output<typeof tokenResponseSchema>, previousRefresh?: string) => ({
    accessToken: body.access_token,
    refreshToken: body.refresh_token ?? previousRefresh,
    accessExpiresAt: now() + body.expires_in * 1000 - EXPIRY_MARGIN_MS,
  });

  return {
    startSignIn() {
      const pending: PendingSignIn = {
        kind: 'pending',
        state: random(),
        codeVerifier: random(),
        nonce: random(),
      };
      const url = new URL(`${options.issuer}/authorize`);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: options.clientId,
        redirect_uri: options.redirectUri,
        scope: SHOP_SCOPE,
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: createHash('sha256').update(pending.codeVerifier).digest('base64url'),
        code_challenge_method: 'S256',
        // oidc-provider issues refresh tokens only with explicit consent for offline_access.
        prompt: 'consent',
      }).toString();
      return { pending, url: url.href };
    },

    async finishSignIn(pending, callback) {
      if (callback.get('state') !== pending.state) throw new WebError('sign_in_failed', 'state mismatch');
      // RFC 9207: the response names its issuer, so a code from another server is never redeemed here.
      if (callback.get('iss') !== options.issuer) throw new WebError('sign_in_failed', 'issuer mismatch');
      const code = callback.get('code');
      if (code === null || code.length === 0 || code.length > 512) {
        throw new WebError('sign_in_failed', callback.get('error') ?? 'no code');
      }
      const body = await tokensFrom(
        await post('/token', {
          grant_type: 'authorization_code',
          code,
          redirect_uri: options.redirectUri,
          code_verifier: pending.codeVerifier,
        }),
        'sign_in_failed',
      );
      if (body.id_token === undefined) throw new WebError('sign_in_failed', 'no ID token');
      const { payload } = await jwtVerify(body.id_token, jwks, {
        issuer: options.issuer,
        audience: options.clientId,
        algorithms: ID_TOKEN_ALGORITHMS,
      }).catch((error: unknown) => {
        throw new WebError('sign_in_failed', 'ID token refused', { cause: error });
      });
      if (payload.nonce !== pending.nonce || typeof payload.sub !== 'string') {
        throw new WebError('sign_in_failed', 'ID token does not match the sign-in');
      }
      return { user: payload.sub, tokens: sessionTokens(body) };
    },

    async refresh(refreshToken) {
      const body = await tokensFrom(
        await post('/token', { grant_type: 'refresh_token', refresh_token: refreshToken }),
        'refresh_failed',
      );
      return sessionTokens(body, refreshToken);
    },

    async revoke(token, hint) {
      const response = await post('/token/revocation', { token, token_type_hint: hint });
      if (!response.ok) throw new WebError('revocation_failed', `auth answered ${response.status}`);
    },
  };
}
