// What an order looks like on the wire. Built field by field, so a column added to the table is never
// exposed by accident (OWASP API3): users see their order; admins also see the owner and the charge.
import { z } from 'zod';

import { ORDER_STATUSES } from './db/orders-repository.js';
import type { CatalogItem, Order } from './db/orders-repository.js';

// Strict: an answer with a field the schema does not name fails the response checks (packages/openapi).
const amount = z.number().int().min(0);
const timestamp = z.iso.datetime({ offset: true });

export const orderItemViewSchema = z
  .strictObject({
    sku: z.string(),
    name: z.string(),
    unitPrice: amount,
    quantity: z.number().int().min(1),
    lineTotal: amount,
  })
  .meta({ id: 'OrderItem' });

export const orderViewSchema = z
  .strictObject({
    id: z.uuid(),
    status: z.enum(ORDER_STATUSES),
    items: z.array(orderItemViewSchema),
    total: amount,
    currency: z.string().regex(/^[A-Z]{3}$/),
    refundedAmount: amount,
    createdAt: timestamp,
    paidAt: timestamp.nullable(),
  })
  .meta({ id: 'Order', description: 'An order as its owner sees it.' });

export const adminOrderViewSchema = z
  .strictObject({
    ...orderViewSchema.shape,
    owner: z.string(),
    chargeId: z.string().nullable(),
  })
  .meta({ id: 'AdminOrder', description: 'An order as an admin sees it: with its owner and charge.' });

export const catalogItemViewSchema = z
  .strictObject({
    sku: z.string(),
    name: z.string(),
    price: amount,
    currency: z.string().regex(/^[A-Z]{3}$/),
  })
  .meta({ id: 'CatalogItem' });

export type OrderItemView = Readonly<z.output<typeof orderItemViewSchema>>;
export type OrderView = Readonly<Omit<z.output<typeof orderViewSchema>, 'items'>> & {
  readonly items: readonly OrderItemView[];
};
export type AdminOrderView = OrderView & { readonly owner: string; readonly chargeId: string | null };
export type CatalogItemView = Readonly<z.output<typeof catalogItemViewSchema>>;

export function orderView(order: Order): OrderView {
  return {
    id: order.id,
    status: order.status,
    items: order.items.map((item) => ({
      sku: item.sku,
      name: item.name,
      unitPrice: item.unitPrice,
      quantity: item.quantity,
      lineTotal: item.unitPrice * item.quantity,
    })),
    total: order.total,
    currency: order.currency,
    refundedAmount: order.refundedAmount,
    createdAt: order.createdAt,
    paidAt: order.paidAt,
  };
}

export function adminOrderView(order: Order): AdminOrderView {
  return { ...orderView(order), owner: order.ownerSub, chargeId: order.chargeId };
}

export function catalogItemView(item: CatalogItem): CatalogItemView {
  return { sku: item.sku, name: item.name, price: item.price, currency: item.currency };
}
