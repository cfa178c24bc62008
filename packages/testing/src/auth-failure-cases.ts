// The authentication and caller failures every protected route must refuse, as one table, so each route of
// a service is checked against the same attacks: missing, malformed, expired, not yet valid, wrong audience,
// wrong issuer, wrong algorithm (HS256 confusion, none), a foreign key, a wrong type, and a wrong caller.
import { generateKeyPair } from 'jose';

import type { MintOptions, TestIssuer } from './tokens.js';
import { unsignedToken } from './tokens.js';

export interface AuthFailureCase {
  readonly name: string;
  /** The Authorization header to send, or undefined for none. */
  readonly authorization: string | undefined;
  readonly status: 401 | 403;
  readonly code: 'invalid_token' | 'caller_not_allowed';
}

export interface AuthFailureOptions {
  readonly issuer: TestIssuer;
  /** The service under test: its own audience. */
  readonly audience: string;
  /** Claims that make a token acceptable on the route (sub, scope, act) apart from what each case breaks. */
  readonly validClaims: Record<string, unknown>;
  /** A service that is not an allowed caller of any route here. */
  readonly foreignCaller: string;
  /** Another service's audience, for the replay case. */
  readonly otherAudience: string;
  /** Whether the service requires a `jti` (its token policy's requiredClaims); default true. */
  readonly requiresJti?: boolean;
}

export async function authFailureCases(options: AuthFailureOptions): Promise<AuthFailureCase[]> {
  const { issuer, validClaims } = options;
  const now = Math.floor(Date.now() / 1000);
  const mint = (mintOptions: MintOptions = {}): Promise<string> =>
    issuer.mint({ ...mintOptions, claims: { ...validClaims, ...mintOptions.claims } });
  const attacker = await generateKeyPair('ES256');
  const bearer = (token: string): string => `Bearer ${token}`;
  const invalid = (name: string, authorization: string | undefined): AuthFailureCase => ({
    name,
    authorization,
    status: 401,
    code: 'invalid_token',
  });
  return [
    invalid('missing token', undefined),
    invalid('malformed token', 'Bearer not-a-jwt'),
    invalid('expired token', bearer(await mint({ claims: { iat: now - 600, exp: now - 300 } }))),
    invalid('token not valid yet', bearer(await mint({ claims: { nbf: now + 600 } }))),
    invalid(
      `wrong audience (${options.otherAudience})`,
      bearer(await mint({ claims: { aud: options.otherAudience } })),
    ),
    invalid(
      'two audiences',
      bearer(await mint({ claims: { aud: [options.audience, options.otherAudience] } })),
    ),
    invalid('wrong issuer', bearer(await mint({ claims: { iss: 'http://127.0.0.1:9999/evil' } }))),
    invalid(
      'wrong algorithm (HS256 with a guessed secret)',
      bearer(await mint({ alg: 'HS256', key: new TextEncoder().encode('a-secret-that-is-32-bytes-long!!') })),
    ),
    invalid('alg none', bearer(unsignedToken({ ...validClaims, iss: 'x', aud: options.audience }))),
    invalid('signed by a foreign key with our kid', bearer(await mint({ key: attacker.privateKey }))),
    invalid('Basic credentials instead of a bearer token', 'Basic YTpi'),
    invalid(
      'issued too long ago (older than auth’s longest lifetime)',
      bearer(await mint({ claims: { iat: now - 3600, exp: now + 300 } })),
    ),
    invalid('wrong token type (id token)', bearer(await mint({ typ: 'JWT' }))),
    ...(options.requiresJti === false
      ? []
      : [invalid('missing jti', bearer(await mint({ claims: { jti: undefined } })))]),
    {
      name: `wrong caller (${options.foreignCaller})`,
      authorization: bearer(await mint({ claims: { act: { sub: options.foreignCaller } } })),
      status: 403,
      code: 'caller_not_allowed',
    },
    {
      name: 'direct user token (no act: the client itself calls)',
      authorization: bearer(await mint({ claims: { act: undefined } })),
      status: 403,
      code: 'caller_not_allowed',
    },
  ];
}
