// Starts an authorization request for the CLI and stops on the login page, for tests of the form itself.
import { createHash, randomBytes } from 'node:crypto';
import { Browser } from '@airlock/client/browser';

export interface LoginPage {
  readonly browser: Browser;
  readonly pageUrl: URL;
  readonly html: string;
  readonly uid: string;
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizationUrl(issuer: string, params: Readonly<Record<string, string>>): URL {
  const url = new URL(`${issuer}/authorize`);
  url.search = new URLSearchParams({
    client_id: 'airlock-cli',
    response_type: 'code',
    scope: 'openid orders',
    redirect_uri: 'http://127.0.0.1:49152/callback',
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
    state: 'state-1',
    ...params,
  }).toString();
  return url;
}

export async function openLoginPage(
  issuer: string,
  params: Readonly<Record<string, string>> = {},
): Promise<LoginPage> {
  const browser = new Browser();
  const { url, response } = await browser.follow(authorizationUrl(issuer, params));
  const html = await response.text();
  const uid = /\/interaction\/([^/]+)$/.exec(url.pathname)?.[1];
  if (response.status !== 200 || uid === undefined)
    throw new Error(`no login page: ${response.status} ${url.href}`);
  return { browser, pageUrl: url, html, uid };
}

/** A response body with what legitimately differs between two sign-in attempts taken out. */
export function comparable(html: string, uid: string, username: string): string {
  return html.replaceAll(uid, '<uid>').replaceAll(`value="${username}"`, 'value="<username>"');
}

/**
 * Throws when `text` shows the server's internals. `koa` is matched as a word: a random interaction uid in the
 * page (base64url) can contain the letters, as "...AKOAY..." once did.
 */
export function expectNoInternals(text: string): void {
  for (const leak of [/\bat \S+ \(/, /node_modules/, /Error:/, /\.js:\d+/, /\bkoa\b/i, /oidc-provider/i]) {
    if (leak.test(text)) throw new Error(`response leaks internals (${String(leak)}): ${text.slice(0, 400)}`);
  }
}
