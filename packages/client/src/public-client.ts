// Airlock as a public OAuth client sees it: discovery, authorization code + PKCE (S256), refresh and
// revocation, through openid-client. Plain http is allowed only for a loopback issuer (the local stack).
import * as oauth from 'openid-client';
import { signIn, type Browser } from './browser.js';

export const CLI_CLIENT_ID = 'airlock-cli';
export const DEFAULT_SCOPE = 'openid offline_access orders images';

export type Tokens = oauth.TokenEndpointResponse & oauth.TokenEndpointResponseHelpers;

export interface AuthorizationRequest {
  readonly url: URL;
  readonly redirectUri: string;
  readonly scope: string;
  readonly verifier: string;
  readonly state: string;
  readonly nonce: string;
}

export async function discoverPublicClient(
  issuer: string,
  clientId = CLI_CLIENT_ID,
): Promise<oauth.Configuration> {
  const issuerUrl = new URL(issuer);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(issuerUrl.hostname);
  if (issuerUrl.protocol !== 'https:' && !loopback) {
    throw new Error(`refusing a plain-http issuer that is not on loopback: ${issuerUrl.origin}`);
  }
  return oauth.discovery(
    issuerUrl,
    clientId,
    // Auth signs ID tokens with ES256; the library's default expectation is RS256.
    { id_token_signed_response_alg: 'ES256' },
    oauth.None(),
    loopback && issuerUrl.protocol === 'http:'
      ? // eslint-disable-next-line @typescript-eslint/no-deprecated -- deprecated to flag non-TLS use; only a loopback issuer gets here.
        { execute: [oauth.allowInsecureRequests] }
      : undefined,
  );
}

export async function startAuthorization(
  config: oauth.Configuration,
  options: { redirectUri: string; scope?: string },
): Promise<AuthorizationRequest> {
  const scope = options.scope ?? DEFAULT_SCOPE;
  const verifier = oauth.randomPKCECodeVerifier();
  const state = oauth.randomState();
  const nonce = oauth.randomNonce();
  const url = oauth.buildAuthorizationUrl(config, {
    redirect_uri: options.redirectUri,
    scope,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    // oidc-provider issues refresh tokens only with explicit consent for offline_access.
    ...(scope.split(' ').includes('offline_access') ? { prompt: 'consent' } : {}),
  });
  return { url, redirectUri: options.redirectUri, scope, verifier, state, nonce };
}

export async function finishAuthorization(
  config: oauth.Configuration,
  request: AuthorizationRequest,
  callback: URL,
): Promise<Tokens> {
  return oauth.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
    idTokenExpected: request.scope.split(' ').includes('openid'),
  });
}

/** The whole flow without a person: signs in on the login page as `username` (demos and tests). */
export async function signInHeadless(
  config: oauth.Configuration,
  options: { redirectUri: string; scope?: string; username: string; password: string; browser?: Browser },
): Promise<{ tokens: Tokens; request: AuthorizationRequest; browser: Browser }> {
  const request = await startAuthorization(config, options);
  const redirect = new URL(options.redirectUri);
  const { callback, browser } = await signIn(
    request.url,
    { username: options.username, password: options.password },
    (url) => url.origin === redirect.origin && url.pathname === redirect.pathname,
    options.browser,
  );
  return { tokens: await finishAuthorization(config, request, callback), request, browser };
}

export async function revokeToken(config: oauth.Configuration, token: string): Promise<void> {
  await oauth.tokenRevocation(config, token);
}
