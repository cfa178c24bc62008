// The one cookie the browser holds: a session id, HttpOnly (page scripts never read it), SameSite=Strict (no
// other site's page sends it), and on https Secure with the `__Host-` prefix (no subdomain or path can shadow it).
// On plain http (the loopback stack) the prefix is impossible, because it requires Secure: the name loses it.
import type { Request } from 'express';

import { isSessionId } from './session-store.js';

export const SECURE_COOKIE_NAME = '__Host-airlock-web';
export const PLAIN_COOKIE_NAME = 'airlock-web';

export interface CookiePolicy {
  /** True when browsers reach the shop over https. */
  readonly secure: boolean;
}

export function sessionCookieName(policy: CookiePolicy): string {
  return policy.secure ? SECURE_COOKIE_NAME : PLAIN_COOKIE_NAME;
}

function attributes(policy: CookiePolicy, maxAgeSeconds: number): string {
  return [
    'Path=/',
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(policy.secure ? ['Secure'] : []),
  ].join('; ');
}

/** The Set-Cookie value that gives the browser `id` for `maxAgeSeconds`. */
export function sessionCookie(policy: CookiePolicy, id: string, maxAgeSeconds: number): string {
  return `${sessionCookieName(policy)}=${id}; ${attributes(policy, maxAgeSeconds)}`;
}

/** The Set-Cookie value that makes the browser forget its session cookie. */
export function clearedSessionCookie(policy: CookiePolicy): string {
  return `${sessionCookieName(policy)}=; ${attributes(policy, 0)}`;
}

/** The session id the request carries, or undefined (no cookie, a malformed one, or two of them). */
export function sessionIdOf(req: Request, policy: CookiePolicy): string | undefined {
  const header = req.get('cookie');
  if (header === undefined) return undefined;
  const name = sessionCookieName(policy);
  const values = header
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair.startsWith(`${name}=`))
    .map((pair) => pair.slice(name.length + 1));
  // Two cookies of the same name (one planted by a sibling origin) are ambiguous: neither is trusted.
  const [value, ...others] = values;
  if (value === undefined || others.length > 0 || !isSessionId(value)) return undefined;
  return value;
}
