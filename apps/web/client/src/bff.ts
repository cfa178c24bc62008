// The page's only way to the API: same-origin calls to the BFF, with the CSRF header on every state change.
// The page holds no token: the session cookie is HttpOnly and travels by itself. Every call is typed by its
// operation in the OpenAPI document (api-types.ts, generated from it).
import type { Operations } from './api-types.js';

/** The answer of an operation: its successful JSON body (undefined when it has none). */
type AnswerOf<Operation extends keyof Operations> = Operations[Operation]['answer'];
/** The CSRF header the BFF requires on state-changing calls (apps/web/src/bff/csrf.ts). */
const CSRF_HEADER = 'x-csrf';

export type { CatalogItem, Order, Session, Thumbnail } from './api-types.js';

export class BffError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string) {
    super(`${status} ${code}`);
    this.status = status;
    this.code = code;
  }
}

/** Calls `operation` (`METHOD /path/{param}`) at `path`, the template with its parameters filled in. */
async function call<Operation extends keyof Operations>(
  operation: Operation,
  path: string,
  init: RequestInit = {},
): Promise<AnswerOf<Operation>> {
  const method = operation.slice(0, operation.indexOf(' '));
  const headers = new Headers(init.headers);
  headers.set('accept', 'application/json');
  if (method !== 'GET') headers.set(CSRF_HEADER, '1');
  const response = await fetch(path, { ...init, method, headers, credentials: 'same-origin' });
  // Operations without a JSON answer (204) have `undefined` as their answer type.
  if (response.status === 204) return undefined;
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = typeof body === 'object' && body !== null && 'error' in body ? body.error : undefined;
    const code =
      typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
        ? error.code
        : 'error';
    throw new BffError(response.status, code);
  }
  // The BFF answers as the document says (the cross-service suites check its answers against it).
  return body as AnswerOf<Operation>;
}

export const bff = {
  session: () => call('GET /bff/session', '/bff/session'),
  signOut: () => call('POST /bff/sign-out', '/bff/sign-out'),
  catalog: () => call('GET /bff/api/catalog', '/bff/api/catalog'),
  orders: () => call('GET /bff/api/orders', '/bff/api/orders'),
  placeOrder: (items: Operations['POST /bff/api/orders']['body']['items']) => {
    const body: Operations['POST /bff/api/orders']['body'] = { items };
    return call('POST /bff/api/orders', '/bff/api/orders', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  },
  pay: (orderId: string) =>
    call('POST /bff/api/orders/{id}/pay', `/bff/api/orders/${encodeURIComponent(orderId)}/pay`, {
      headers: { 'idempotency-key': crypto.randomUUID() },
    }),
  uploadImage: (file: File) =>
    call('POST /bff/api/images', '/bff/api/images', { headers: { 'content-type': file.type }, body: file }),
};
