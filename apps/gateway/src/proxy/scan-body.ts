// Watches a response body from an internal service for JWT-shaped text (a JWS/JWE compact serialization), so
// that an internal token a service echoes (a debug endpoint, an error that quotes its input) never reaches a
// client. Works chunk by chunk without copying in the common case: one `indexOf('eyJ')` per chunk, and only
// a candidate that runs into the end of a chunk is carried over (bounded) and judged with the next one.

const EYJ = Buffer.from('eyJ', 'latin1');
const DOT = 0x2e;
/** A JWT header segment is at least this long (`{"alg":"ES256"}` is 20); shorter runs are ordinary text. */
const MIN_HEADER_SEGMENT = 12;
/** Candidates are judged within this many bytes; a real JWT's first two segments fit easily. */
const MAX_CANDIDATE = 8192;

function isBase64Url(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x2d || // -
    byte === 0x5f // _
  );
}

type Verdict = 'jwt' | 'no' | 'incomplete';

/** Judges the text at `start` (which begins with `eyJ`): header segment, `.`, payload segment, `.`. */
function judge(buffer: Buffer, start: number): Verdict {
  let dots = 0;
  let segment = 0;
  const end = Math.min(buffer.length, start + MAX_CANDIDATE);
  for (let index = start; index < end; index += 1) {
    const byte = buffer[index] ?? 0;
    if (isBase64Url(byte)) {
      segment += 1;
    } else if (byte === DOT && segment >= (dots === 0 ? MIN_HEADER_SEGMENT : 1)) {
      dots += 1;
      segment = 0;
      if (dots === 2) return 'jwt';
    } else {
      return 'no';
    }
  }
  return end === buffer.length && end - start < MAX_CANDIDATE ? 'incomplete' : 'no';
}

export class JwtBodyScanner {
  /** The unjudged tail of the previous chunk: a candidate, or a trailing `e` / `ey`. */
  #carry: Buffer | undefined;

  /** True when the body so far contains something JWT-shaped. */
  push(chunk: Buffer): boolean {
    const buffer = this.#carry === undefined ? chunk : Buffer.concat([this.#carry, chunk]);
    this.#carry = undefined;
    let from = 0;
    for (let at = buffer.indexOf(EYJ, from); at !== -1; at = buffer.indexOf(EYJ, from)) {
      const verdict = judge(buffer, at);
      if (verdict === 'jwt') return true;
      if (verdict === 'incomplete') {
        this.#carry = Buffer.from(buffer.subarray(at));
        return false;
      }
      from = at + EYJ.length;
    }
    // `eyJ` itself may be split across chunks.
    const last = buffer.length;
    if (last >= 2 && buffer[last - 2] === 0x65 && buffer[last - 1] === 0x79) {
      this.#carry = Buffer.from('ey', 'latin1');
    } else if (last >= 1 && buffer[last - 1] === 0x65) {
      this.#carry = Buffer.from('e', 'latin1');
    }
    return false;
  }
}
