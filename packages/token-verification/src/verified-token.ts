// What a successful verification returns: the claims a service authorizes with, typed and frozen.
import type { CheckedHeader } from './precheck-token.js';

/**
 * A verified RFC 9068 access token.
 *
 * - `sub`, `iss`, `exp`, `iat` are always present and checked; `aud` is this verifier's own audience.
 * - `scope` is the raw space-separated claim; `scopes` its parsed tokens (empty when there is no `scope`).
 * - `act.sub` names the service acting on the subject's behalf (RFC 8693 token exchange); the full, possibly
 *   nested `act` claim stays in `claims`.
 * - `claims` holds every claim as issued, in a frozen object without a prototype, so no inherited member
 *   (`constructor`, `toString`) can be mistaken for a claim.
 * - The whole object is deeply frozen: cached results are shared between requests and must not be edited.
 */
export interface VerifiedToken {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string;
  readonly exp: number;
  readonly iat: number;
  readonly nbf?: number;
  readonly jti?: string;
  readonly scope?: string;
  readonly scopes: readonly string[];
  readonly client_id?: string;
  readonly act?: { readonly sub: string };
  readonly claims: Readonly<Record<string, unknown>>;
  /** The protected header members the verifier used (`alg`, `typ`, and `kid` when present). */
  readonly header: CheckedHeader;
}
