// Checks a signature-verified payload against the policy and builds the VerifiedToken from it.
// Runs only after the signature holds: nothing in an unverified payload is ever read.
import { containsProtoKey } from './contains-proto-key.js';
import { TokenVerificationError } from './errors.js';
import type { VerifierPolicy } from './options.js';
import type { CheckedHeader } from './precheck-token.js';
import type { VerifiedToken } from './verified-token.js';

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by single spaces.
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/;

type Claims = Record<string, unknown>;

export function checkClaims(
  payload: unknown,
  header: CheckedHeader,
  policy: VerifierPolicy,
  nowSeconds: number,
): VerifiedToken {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new TokenVerificationError('token_malformed', 'token payload is not a JSON object');
  }
  if (containsProtoKey(payload)) {
    throw new TokenVerificationError('token_malformed', 'token payload has a "__proto__" key');
  }
  const claims = payload as Claims;
  for (const name of policy.requiredClaims) {
    if (claims[name] === undefined || claims[name] === null) throw invalid(name);
  }
  if (claims['iss'] !== policy.issuer) throw invalid('iss');
  checkAudience(claims['aud'], policy.audience);
  const times = checkTimes(claims, policy, nowSeconds);
  return freezeDeep({
    iss: policy.issuer,
    sub: nonEmptyString(claims, 'sub'),
    aud: policy.audience,
    ...times,
    ...optionalString(claims, 'jti'),
    ...scopeOf(claims),
    ...optionalString(claims, 'client_id'),
    ...actorOf(claims),
    claims: withoutPrototype(claims),
    header,
  });
}

function checkAudience(aud: unknown, audience: string): void {
  // A one-element array naming only us is the same statement as the string; more audiences are refused
  // because such a token is also valid at the other services it names.
  const single = Array.isArray(aud) && aud.length === 1 ? (aud[0] as unknown) : aud;
  if (single !== audience) throw invalid('aud');
}

function checkTimes(
  claims: Claims,
  policy: VerifierPolicy,
  now: number,
): Pick<VerifiedToken, 'exp' | 'iat' | 'nbf'> {
  const tolerance = policy.clockToleranceSeconds;
  const exp = numericDate(claims, 'exp');
  const iat = numericDate(claims, 'iat');
  const nbf = claims['nbf'] === undefined ? undefined : numericDate(claims, 'nbf');
  if (exp <= now - tolerance) throw new TokenVerificationError('token_expired', 'token has expired', 'exp');
  if (nbf !== undefined && nbf > now + tolerance) {
    throw new TokenVerificationError('token_not_yet_valid', 'token is not valid yet', 'nbf');
  }
  // A token "issued" in the future comes from a broken or hostile issuer clock, not from a slow network.
  if (iat > now + tolerance) throw invalid('iat');
  const maxAge = policy.maxTokenAgeSeconds;
  if (maxAge !== undefined && now - iat > maxAge + tolerance) {
    throw new TokenVerificationError('token_expired', 'token is older than the maximum token age', 'iat');
  }
  return nbf === undefined ? { exp, iat } : { exp, iat, nbf };
}

function numericDate(claims: Claims, name: string): number {
  const value = claims[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(name);
  return value;
}

function nonEmptyString(claims: Claims, name: string): string {
  const value = claims[name];
  if (typeof value !== 'string' || value.length === 0) throw invalid(name);
  return value;
}

function optionalString(claims: Claims, name: 'jti' | 'client_id'): Partial<Record<typeof name, string>> {
  return claims[name] === undefined ? {} : { [name]: nonEmptyString(claims, name) };
}

function scopeOf(claims: Claims): Pick<VerifiedToken, 'scope' | 'scopes'> {
  const scope = claims['scope'];
  if (scope === undefined) return { scopes: [] };
  if (typeof scope !== 'string' || !SCOPE.test(scope)) throw invalid('scope');
  return { scope, scopes: scope.split(' ') };
}

function actorOf(claims: Claims): Pick<VerifiedToken, 'act'> {
  const act = claims['act'];
  if (act === undefined) return {};
  if (typeof act !== 'object' || act === null || Array.isArray(act)) throw invalid('act');
  const sub = (act as Claims)['sub'];
  if (typeof sub !== 'string' || sub.length === 0) throw invalid('act');
  return { act: { sub } };
}

function withoutPrototype(claims: Claims): Claims {
  // Safe to re-parent: `__proto__` keys were refused above, so no own key can shadow anything.
  return Object.setPrototypeOf(claims, null) as Claims;
}

function freezeDeep<T extends object>(root: T): T {
  // Iterative for the same reason as containsProtoKey: depth is bounded only by the token length.
  const pending: object[] = [root];
  for (let value = pending.pop(); value !== undefined; value = pending.pop()) {
    Object.freeze(value);
    for (const member of Object.values(value) as unknown[]) {
      if (typeof member === 'object' && member !== null && !Object.isFrozen(member)) pending.push(member);
    }
  }
  return root;
}

function invalid(claim: string): TokenVerificationError {
  return new TokenVerificationError('claim_invalid', `token claim "${claim}" is missing or invalid`, claim);
}
