// Caps on open connections, before a byte of a request is read: in total (node's server.maxConnections, whose
// excess node closes on accept) and per client key of the peer, so that one address holding idle or
// half-sent requests open cannot take the sockets every other client needs. A trusted proxy carries many
// clients on its connections: it counts only in the total (the proxy caps its own clients).
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { ClientAddresses } from './client-address.js';

export interface ConnectionLimitOptions {
  readonly max: number;
  readonly maxPerClient: number;
  readonly clients: ClientAddresses;
  /** Called for each connection closed at once because its client already holds its share (a metric, a log). */
  readonly onRefused?: (clientKey: string) => void;
}

export interface ConnectionCounts {
  /** Open connections of this client key (tests and metrics). */
  heldBy(clientKey: string): number;
}

export function limitConnections(server: Server, options: ConnectionLimitOptions): ConnectionCounts {
  const { max, maxPerClient, clients } = options;
  for (const [name, value] of [
    ['max', max],
    ['maxPerClient', maxPerClient],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new TypeError(`limitConnections: option "${name}" must be a positive integer`);
    }
  }
  server.maxConnections = max;
  const open = new Map<string, number>();

  server.on('connection', (socket: Socket) => {
    const peer = ClientAddresses.peerOf(socket.remoteAddress);
    if (clients.isTrustedProxy(peer)) return;
    const key = clients.keyOf(peer);
    const held = open.get(key) ?? 0;
    if (held >= maxPerClient) {
      // Reset, not a polite close: nothing was read, nothing is owed, and no timer is left running.
      socket.destroy();
      options.onRefused?.(key);
      return;
    }
    open.set(key, held + 1);
    socket.once('close', () => {
      const now = open.get(key) ?? 0;
      if (now <= 1) open.delete(key);
      else open.set(key, now - 1);
    });
  });

  return { heldBy: (clientKey) => open.get(clientKey) ?? 0 };
}
