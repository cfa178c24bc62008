// The suite's stand-in for what sits in front of a cluster: a TCP load balancer on 127.0.0.1:<port> (the issuer's
// origin in the proofs' stack file) that hands each connection to the next gateway task in turn. It adds nothing
// at HTTP level: the gateways see the client's requests as sent. Proofs that must address one gateway go to it
// directly (gatewayOrigins).
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface FrontDoor {
  readonly origin: string;
  /** Connections handed to each gateway address so far. */
  readonly connections: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

export async function openFrontDoor(port: number, gateways: readonly string[]): Promise<FrontDoor> {
  if (gateways.length === 0) throw new Error('no gateway task to forward to');
  const connections = new Map<string, number>();
  const open = new Set<Socket>();
  let next = 0;
  const server: Server = createServer((client) => {
    const target = new URL(gateways[next % gateways.length] ?? '');
    next += 1;
    connections.set(target.host, (connections.get(target.host) ?? 0) + 1);
    const upstream = connect({ host: target.hostname, port: Number(target.port) });
    open.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const destroyBoth = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', destroyBoth);
    upstream.on('error', destroyBoth);
    client.on('close', destroyBoth);
    upstream.on('close', destroyBoth);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(port, '127.0.0.1', resolve);
  });
  return {
    origin: `http://127.0.0.1:${String(port)}`,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        for (const socket of open) socket.destroy();
      }),
  };
}

/** The front door's port, chosen by run-swarm-suite.sh and written into the stack file as the issuer's. */
export function frontDoorPort(): number {
  const port = Number(process.env.AIRLOCK_SWARM_FRONT_DOOR_PORT);
  if (!Number.isInteger(port) || port <= 0) {
    throw new Error('AIRLOCK_SWARM_FRONT_DOOR_PORT is not set: run the Swarm proofs with `pnpm test:swarm`');
  }
  return port;
}
