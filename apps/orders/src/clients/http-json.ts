// One outbound JSON request with a hard deadline and a bounded response: what both of orders' clients use.
// Redirects are not followed (undici's request never does), so a response is from the configured URL.
import { request } from 'undici';
import type { Dispatcher } from 'undici';

/** Every answer orders expects (a token response, a charge) is far below this. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

export interface JsonResponse {
  readonly status: number;
  /** The parsed JSON body, or undefined when the body was empty or not JSON. */
  readonly body: unknown;
}

export interface JsonRequest {
  readonly url: URL;
  readonly method: 'POST';
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly timeoutMs: number;
  readonly dispatcher?: Dispatcher;
}

/** Resolves with status and body for any HTTP answer; rejects on network errors, timeouts and huge bodies. */
export async function requestJson(options: JsonRequest): Promise<JsonResponse> {
  // One deadline for connecting, sending, the headers and the whole body.
  const signal = AbortSignal.timeout(options.timeoutMs);
  const response = await request(options.url, {
    method: options.method,
    headers: { accept: 'application/json', ...options.headers },
    body: options.body,
    signal,
    ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
  });
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of response.body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    length += buffer.byteLength;
    if (length > MAX_RESPONSE_BYTES) {
      response.body.destroy();
      throw new Error('response body too large');
    }
    chunks.push(buffer);
  }
  return { status: response.statusCode, body: parseJson(Buffer.concat(chunks).toString('utf8')) };
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
