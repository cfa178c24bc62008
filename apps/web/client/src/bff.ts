// The page's only way to the API: same-origin calls to the BFF, with the CSRF header on every state change.
// The page holds no token: the session cookie is HttpOnly and travels by itself.

export interface SessionView {
  readonly signedIn: boolean;
  readonly user?: string;
}

export interface CatalogItem {
  readonly sku: string;
  readonly name: string;
  readonly price: number;
  readonly currency: string;
}

export interface Order {
  readonly id: string;
  readonly status: string;
  readonly items: readonly { readonly sku: string; readonly name: string; readonly quantity: number }[];
  readonly total: number;
  readonly currency: string;
  readonly createdAt: string;
}

export interface Thumbnail {
  readonly thumbnail: {
    readonly contentType: 'image/webp';
    readonly width: number;
    readonly height: number;
    readonly dataBase64: string;
  };
}

export class BffError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string) {
    super(`${status} ${code}`);
    this.status = status;
    this.code = code;
  }
}

async function call<T>(method: 'GET' | 'POST', path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set('accept', 'application/json');
  if (method !== 'GET') headers.set('x-csrf', '1');
  const response = await fetch(path, { ...init, method, headers, credentials: 'same-origin' });
  if (response.status === 204) return undefined as T;
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = typeof body === 'object' && body !== null && 'error' in body ? body.error : undefined;
    const code =
      typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
        ? error.code
        : 'error';
    throw new BffError(response.status, code);
  }
  return body as T;
}

export const bff = {
  session: () => call<SessionView>('GET', '/bff/session'),
  signOut: () => call<undefined>('POST', '/bff/sign-out'),
  catalog: () => call<CatalogItem[]>('GET', '/bff/api/catalog'),
  orders: () => call<Order[]>('GET', '/bff/api/orders'),
  placeOrder: (items: readonly { sku: string; quantity: number }[]) =>
    call<Order>('POST', '/bff/api/orders', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items }),
    }),
  pay: (orderId: string) =>
    call<Order>('POST', `/bff/api/orders/${encodeURIComponent(orderId)}/pay`, {
      headers: { 'idempotency-key': crypto.randomUUID() },
    }),
  uploadImage: (file: File) =>
    call<Thumbnail>('POST', '/bff/api/images', { headers: { 'content-type': file.type }, body: file }),
};
