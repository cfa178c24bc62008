// Strict base64url for JWS segments: one byte string has exactly one accepted spelling.
// Lenient decoders ignore the unused low bits of the last character, so `...A` and `...B` can decode alike;
// refusing the non-canonical spelling keeps a token's text (and so its cache key) unique.

// Last characters whose unused low bits are zero, for a segment of length 2 or 3 modulo 4.
const CANONICAL_LAST_OF_2 = /[AQgw]$/;
const CANONICAL_LAST_OF_3 = /[AEIMQUYcgkosw048]$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Assumes the characters are already known to be base64url; checks length and trailing bits. */
export function isCanonicalBase64url(segment: string): boolean {
  switch (segment.length % 4) {
    case 0:
      return true;
    case 2:
      return CANONICAL_LAST_OF_2.test(segment);
    case 3:
      return CANONICAL_LAST_OF_3.test(segment);
    default:
      return false;
  }
}

/** Decodes a canonical base64url segment holding UTF-8 JSON; throws on invalid UTF-8 or JSON. */
export function decodeJsonSegment(segment: string): unknown {
  return JSON.parse(utf8.decode(Buffer.from(segment, 'base64url')));
}
