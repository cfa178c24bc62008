// The single-page shop: catalog, cart, orders, payment and image upload, built with DOM calls only (no HTML
// strings: Trusted Types are required, so innerHTML would throw), talking to the BFF alone.
import { bff, BffError } from './bff.js';
import type { CatalogItem, Order } from './bff.js';

type Child = Node | string;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Record<'id' | 'className' | 'href' | 'type' | 'accept', string>> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props))
    node.setAttribute(name === 'className' ? 'class' : name, value);
  node.append(...children);
  return node;
}

function byId(id: string): HTMLElement {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`#${id} is missing`);
  return node;
}

function money(amount: number, currency: string): string {
  return `${(amount / 100).toFixed(2)} ${currency}`;
}

const cart = new Map<string, { item: CatalogItem; quantity: number }>();

function notice(text: string, kind: 'notice' | 'error' = 'notice'): void {
  byId('status').replaceChildren(el('p', { className: kind }, text));
}

async function guarded(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof BffError && error.status === 401) {
      await renderAccount();
      return;
    }
    notice(error instanceof BffError ? `Refused: ${error.code}` : 'Something went wrong.', 'error');
  }
}

function renderCart(): void {
  const rows = [...cart.values()].map(({ item, quantity }) =>
    el(
      'tr',
      {},
      el('td', {}, item.name),
      el('td', {}, String(quantity)),
      el('td', {}, money(item.price * quantity, item.currency)),
    ),
  );
  const place = el('button', { id: 'place-order', type: 'button' }, 'Place order');
  place.addEventListener('click', () => {
    void guarded(async () => {
      const order = await bff.placeOrder(
        [...cart.values()].map(({ item, quantity }) => ({ sku: item.sku, quantity })),
      );
      cart.clear();
      renderCart();
      notice(`Order ${order.id} placed.`);
      await renderOrders();
    });
  });
  byId('cart').replaceChildren(
    el('h2', {}, 'Cart'),
    rows.length === 0 ? el('p', {}, 'Your cart is empty.') : el('table', {}, ...rows),
    ...(rows.length === 0 ? [] : [place]),
  );
}

async function renderCatalog(): Promise<void> {
  const items = await bff.catalog();
  const rows = items.map((item) => {
    const add = el('button', { type: 'button', className: 'add', id: `add-${item.sku}` }, 'Add to cart');
    add.addEventListener('click', () => {
      const line = cart.get(item.sku);
      cart.set(item.sku, { item, quantity: (line?.quantity ?? 0) + 1 });
      renderCart();
    });
    return el(
      'tr',
      {},
      el('td', {}, item.name),
      el('td', {}, money(item.price, item.currency)),
      el('td', {}, add),
    );
  });
  byId('catalog').replaceChildren(el('h2', {}, 'Catalog'), el('table', {}, ...rows));
}

function orderRow(order: Order): HTMLElement {
  const cells: Child[] = [
    el('td', {}, order.id),
    el('td', { className: 'order-status' }, order.status),
    el('td', {}, money(order.total, order.currency)),
  ];
  const action = el('td', {});
  if (order.status === 'pending_payment') {
    const pay = el('button', { type: 'button', className: 'pay', id: `pay-${order.id}` }, 'Pay');
    pay.addEventListener('click', () => {
      void guarded(async () => {
        const paid = await bff.pay(order.id);
        notice(`Order ${paid.id} is ${paid.status}.`);
        await renderOrders();
      });
    });
    action.append(pay);
  }
  return el('tr', { id: `order-${order.id}` }, ...cells, action);
}

async function renderOrders(): Promise<void> {
  const orders = await bff.orders();
  byId('orders').replaceChildren(
    el('h2', {}, 'Your orders'),
    orders.length === 0 ? el('p', {}, 'No orders yet.') : el('table', {}, ...orders.map(orderRow)),
  );
}

function renderUpload(): void {
  const input = el('input', { type: 'file', id: 'image-file', accept: 'image/png,image/jpeg,image/webp' });
  const upload = el('button', { type: 'button', id: 'upload-image' }, 'Upload');
  const result = el('div', { id: 'thumbnail' });
  upload.addEventListener('click', () => {
    void guarded(async () => {
      const file = input.files?.[0];
      if (file === undefined) {
        notice('Choose an image first.', 'error');
        return;
      }
      const { thumbnail } = await bff.uploadImage(file);
      const img = el('img', { className: 'thumbnail', id: 'thumbnail-image' });
      img.alt = `Thumbnail, ${thumbnail.width}×${thumbnail.height}`;
      img.src = `data:${thumbnail.contentType};base64,${thumbnail.dataBase64}`;
      result.replaceChildren(img);
      notice(`Thumbnail ${thumbnail.width}×${thumbnail.height} made in the sandbox.`);
    });
  });
  byId('images').replaceChildren(el('h2', {}, 'Image upload'), input, upload, result);
}

async function renderAccount(): Promise<void> {
  const session = await bff.session();
  const account = byId('account');
  const shop = byId('shop');
  if (!session.signedIn || session.user === undefined) {
    account.replaceChildren(el('a', { href: '/bff/sign-in', id: 'sign-in', className: 'button' }, 'Sign in'));
    shop.replaceChildren(el('p', {}, 'Sign in to browse the catalog and order.'));
    return;
  }
  const signOut = el('button', { type: 'button', id: 'sign-out' }, 'Sign out');
  signOut.addEventListener('click', () => {
    void guarded(async () => {
      await bff.signOut();
      cart.clear();
      await renderAccount();
    });
  });
  account.replaceChildren(el('span', { id: 'user-name' }, `Signed in as ${session.user}`), ' ', signOut);
  shop.replaceChildren(
    el('div', { id: 'status' }),
    el('section', { id: 'catalog' }),
    el('section', { id: 'cart' }),
    el('section', { id: 'orders' }),
    el('section', { id: 'images' }),
  );
  renderCart();
  renderUpload();
  await Promise.all([renderCatalog(), renderOrders()]);
}

void guarded(renderAccount);
