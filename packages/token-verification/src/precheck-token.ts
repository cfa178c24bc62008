// Cheap structural checks that run before any key lookup or signature work, so junk and known attacks
// cost microseconds: length, charset, three segments, header JSON, algorithm allowlist, forbidden headers, typ.
import { decodeJsonSegment, isCanonicalBase64url } from './base64url-segment.js';
import { containsProtoKey } from './contains-proto-key.js';
import { TokenVerificationError } from './errors.js';
import { normalizeMediaType } from './normalize-media-type.js';
import type { VerifierPolicy } from './options.js';

/** Longest token accepted. Ours are well under 2 KiB; anything near this bound is not one of ours. */
export const MAX_TOKEN_LENGTH = 8192;
const MAX_KID_LENGTH = 256;

// Exactly three base64url segments. Rejects whitespace anywhere, JWE (five segments) and JSON serialization.
// The signature may be empty here only so that a stripped signature is reported as `signature_invalid`.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

// Header parameters that ask the verifier to fetch or take a key from the token itself (RFC 8725 §3.10),
// enable extensions we do not implement (`crit`, `b64`: RFC 7797) or compress (`zip`, JWE only).
const FORBIDDEN_HEADER_PARAMETERS = ['jku', 'jwk', 'x5u', 'x5c', 'crit', 'b64', 'zip'] as const;

/** The header members a verifier uses; the only ones returned to callers. */
export interface CheckedHeader {
  readonly alg: string;
  readonly typ: string;
  readonly kid?: string;
}

export function precheckToken(token: unknown, policy: VerifierPolicy): CheckedHeader {
  if (typeof token !== 'string') throw malformed('token must be a string');
  if (token.length > MAX_TOKEN_LENGTH) throw malformed('token exceeds the maximum length');
  if (!COMPACT_JWS.test(token)) throw malformed('token is not a compact JWS');
  const [encodedHeader = '', encodedPayload = '', signature = ''] = token.split('.');
  if (!isCanonicalBase64url(encodedHeader) || !isCanonicalBase64url(encodedPayload)) {
    throw malformed('token segments are not canonical base64url');
  }
  const header = decodeHeader(encodedHeader);
  const checked = checkHeader(header, policy);
  if (signature.length === 0 || !isCanonicalBase64url(signature)) {
    throw new TokenVerificationError('signature_invalid', 'token signature is missing or not canonical');
  }
  return checked;
}

function decodeHeader(encodedHeader: string): Record<string, unknown> {
  let header: unknown;
  try {
    header = decodeJsonSegment(encodedHeader);
  } catch {
    throw malformed('token header is not JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw malformed('token header is not a JSON object');
  }
  if (containsProtoKey(header)) throw malformed('token header has a "__proto__" key');
  return header as Record<string, unknown>;
}

function checkHeader(header: Record<string, unknown>, policy: VerifierPolicy): CheckedHeader {
  const { alg, typ, kid } = header;
  // Exact, case-sensitive match against the pinned list: "none", "None" and "HS256" are simply absent.
  if (typeof alg !== 'string' || !policy.algorithms.has(alg)) {
    throw new TokenVerificationError('alg_not_allowed', 'token algorithm is not allowed');
  }
  for (const name of FORBIDDEN_HEADER_PARAMETERS) {
    if (Object.hasOwn(header, name)) throw malformed('token header has a parameter that is not accepted');
  }
  if (typeof typ !== 'string' || normalizeMediaType(typ) !== policy.typ) {
    throw new TokenVerificationError('claim_invalid', 'token type is not the expected one', 'typ');
  }
  if (kid === undefined) return { alg, typ };
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH) {
    throw malformed('token key id is not a short string');
  }
  return { alg, typ, kid };
}

function malformed(message: string): TokenVerificationError {
  return new TokenVerificationError('token_malformed', message);
}
