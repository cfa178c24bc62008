// In-memory order store for the example service.
export interface Order {
  readonly id: string;
  readonly owner: string;
  readonly item: string;
  readonly quantity: number;
}

export interface OrderStore {
  find(id: string): Promise<Order | undefined>;
  create(owner: string, input: { item: string; quantity: number }): Promise<Order>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export function createStore(initial: readonly Order[] = []): OrderStore {
  const orders = new Map(initial.map((order) => [order.id, order]));
  return {
    find: (id) => Promise.resolve(orders.get(id)),
    create: (owner, input) => {
      const order = { id: String(orders.size + 1), owner, ...input };
      orders.set(order.id, order);
      return Promise.resolve(order);
    },
    ping: () => Promise.resolve(true),
    close: () => Promise.resolve(),
  };
}
