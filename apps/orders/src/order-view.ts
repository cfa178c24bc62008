// What an order looks like on the wire. Built field by field, so a column added to the table is never
// exposed by accident (OWASP API3): users see their order; admins also see the owner and the charge.
import type { CatalogItem, Order, OrderStatus } from './db/orders-repository.js';

export interface OrderItemView {
  readonly sku: string;
  readonly name: string;
  readonly unitPrice: number;
  readonly quantity: number;
  readonly lineTotal: number;
}

export interface OrderView {
  readonly id: string;
  readonly status: OrderStatus;
  readonly items: readonly OrderItemView[];
  readonly total: number;
  readonly currency: string;
  readonly refundedAmount: number;
  readonly createdAt: string;
  readonly paidAt: string | null;
}

export interface AdminOrderView extends OrderView {
  readonly owner: string;
  readonly chargeId: string | null;
}

export interface CatalogItemView {
  readonly sku: string;
  readonly name: string;
  readonly price: number;
  readonly currency: string;
}

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
