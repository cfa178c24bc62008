// openid-client configured the way a real public client (the CLI or the web app) would be, plus a helper
// that runs the whole authorization code + PKCE flow through the login page.
import * as client from 'openid-client';
import { signIn, type Browser } from '@airlock/client/browser';
import { DEMO_PASSWORD } from './auth-server.js';

export async function discoverPublicClient(issuer: string, clientId: string): Promise<client.Configuration> {
  return client.discovery(
    new URL(issuer),
    clientId,
    // Auth signs ID tokens with ES256; the library's default expectation is RS256.
    { id_token_signed_response_alg: 'ES256' },
    client.None(),
    // The test issuer is plain http on loopback; that is what this option is for.
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- deprecated only to flag non-TLS use, which is the point here.
    { execute: [client.allowInsecureRequests] },
  );
}

export interface CodeFlowOptions {
  readonly redirectUri: string;
  readonly scope: string;
  readonly username: string;
  readonly password?: string;
  readonly browser?: Browser;
  /** Request the callback URL (a real loopback listener) rather than only stopping at it. */
  readonly deliver?: boolean;
}

export interface CodeFlowResult {
  readonly tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
  readonly callback: URL;
  readonly browser: Browser;
  readonly verifier: string;
}

export async function codeFlow(
  config: client.Configuration,
  options: CodeFlowOptions,
): Promise<CodeFlowResult> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: options.redirectUri,
    scope: options.scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...(options.scope.includes('offline_access') ? { prompt: 'consent' } : {}),
  });
  const redirect = new URL(options.redirectUri);
  const isCallback = (url: URL) => url.origin === redirect.origin && url.pathname === redirect.pathname;
  const { callback, browser } = await signIn(
    authorizationUrl,
    { username: options.username, password: options.password ?? DEMO_PASSWORD },
    isCallback,
    options.browser,
  );
  if (options.deliver === true) await (await fetch(callback)).text();
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: options.scope.split(' ').includes('openid'),
  });
  return { tokens, callback, browser, verifier };
}
