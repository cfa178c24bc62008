// Fetches a JSON Web Key Set over http(s) with a deadline and a size bound, and refuses anything that is
// not a set of public signature keys. Every failure is `jwks_unavailable`: callers fail closed.
import type { JSONWebKeySet } from 'jose';
import { checkPublicJwks } from './check-jwks.js';
import { TokenVerificationError } from './errors.js';

/** A real key set is a few KiB; this bound stops a hostile or broken endpoint from filling memory. */
export const MAX_JWKS_BYTES = 128 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function fetchJwks(url: URL, timeoutMs: number): Promise<JSONWebKeySet> {
  let body: string;
  try {
    // One deadline for connect, headers and body. Redirects are refused: the key set lives at the URL
    // that was configured, not wherever that server points next.
    const response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
      headers: { accept: 'application/jwk-set+json, application/json' },
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error('unexpected status');
    }
    body = await readBounded(response);
  } catch {
    throw unavailable();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw unavailable();
  }
  const check = checkPublicJwks(parsed);
  if (!check.ok) throw unavailable();
  return check.jwks;
}

async function readBounded(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_JWKS_BYTES || response.body === null) {
    await response.body?.cancel();
    throw new Error('body too large or missing');
  }
  // Node's typings leave the chunk type open; fetch bodies are byte streams.
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    length += read.value.byteLength;
    if (length > MAX_JWKS_BYTES) {
      // Cancelling drops the connection instead of reading the rest of an oversized answer.
      await reader.cancel();
      throw new Error('body too large');
    }
    chunks.push(read.value);
  }
  return utf8.decode(Buffer.concat(chunks));
}

function unavailable(): TokenVerificationError {
  return new TokenVerificationError('jwks_unavailable', 'the key set is unavailable');
}
