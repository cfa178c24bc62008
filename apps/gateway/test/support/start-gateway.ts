// Starts a real gateway on a loopback port 0 in front of the given upstreams, the way index.ts does (startServer,
// the clientError handler), with audit lines captured for assertions.
import { Writable } from 'node:stream';
import { createLogger, startServer, type Env } from '@airlock/service-kit';
import type { AddressResolver } from '@airlock/service-kit/core';
import { createGateway, type Gateway } from '../../src/app.js';
import type { ConnectionCounts } from '../../src/edge/connection-limits.js';
import { auditLineSink, type EdgeDecision } from '../../src/audit.js';
import { parseGatewayConfig, type GatewayConfig } from '../../src/config.js';

export interface TestGateway {
  readonly url: string;
  readonly gateway: Gateway;
  readonly config: GatewayConfig;
  readonly decisions: EdgeDecision[];
  /** Every log line the gateway wrote, parsed. */
  readonly logLines: Record<string, unknown>[];
  /** Open connections per client key, as the gateway's connection cap counts them. */
  readonly connections: ConnectionCounts;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  readonly authUrl: string;
  readonly ordersUrl?: string;
  readonly imagesUrl?: string;
  readonly env?: Env;
  readonly clientAssertion?: () => Promise<string>;
  readonly clientAddressAssertion?: (address: string) => Promise<string>;
  readonly now?: () => number;
  /** Maps upstream names to (loopback) addresses; without it upstream URLs are IP literals. */
  readonly resolveAddresses?: AddressResolver;
}

/** An origin on which nothing listens (port 9 is "discard", closed on loopback here). */
export const CLOSED_ORIGIN = 'http://127.0.0.1:9';

export async function startTestGateway(options: TestGatewayOptions): Promise<TestGateway> {
  const config = parseGatewayConfig({
    AIRLOCK_AUTH_URL: options.authUrl,
    AIRLOCK_ORDERS_URL: options.ordersUrl ?? CLOSED_ORIGIN,
    AIRLOCK_IMAGE_PROCESSOR_URL: options.imagesUrl ?? CLOSED_ORIGIN,
    AIRLOCK_GATEWAY_RATE_IP_PER_SECOND: '100000',
    AIRLOCK_GATEWAY_RATE_IP_BURST: '100000',
    AIRLOCK_GATEWAY_RATE_TOKEN_PER_SECOND: '100000',
    AIRLOCK_GATEWAY_RATE_TOKEN_BURST: '100000',
    // Every test client is 127.0.0.1 (many users from one address), so the per-client shares are opened wide
    // like the rate limits above; the tests of those limits set their own (gateway.edge-abuse.test.ts).
    AIRLOCK_GATEWAY_MAX_EXCHANGES_PER_CLIENT: '256',
    AIRLOCK_GATEWAY_MAX_CONNECTIONS_PER_CLIENT: '4096',
    ...options.env,
  });
  const logLines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') logLines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  const logger = createLogger({ service: 'gateway', level: 'info', destination });
  const decisions: EdgeDecision[] = [];
  // The real audit sink, writing into the same captured stream as the logger, plus the decisions as objects.
  const auditLines = auditLineSink({
    service: 'gateway',
    destination: { write: (line: string) => destination.write(line) },
  });
  const gateway = createGateway({
    config,
    logger,
    clientAssertion: options.clientAssertion ?? (() => Promise.resolve('stub-client-assertion')),
    audit: (decision) => {
      decisions.push(decision);
      auditLines(decision);
    },
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.resolveAddresses === undefined ? {} : { resolveAddresses: options.resolveAddresses }),
    ...(options.clientAddressAssertion === undefined
      ? {}
      : { clientAddressAssertion: options.clientAddressAssertion }),
  });
  const running = await startServer(gateway.handle, {
    port: 0,
    host: '127.0.0.1',
    logger,
    maxHeaderSize: config.maxHeaderBytes,
    handleSignals: false,
    shutdownTimeoutMs: 1000,
    onShutdown: () => gateway.close(),
  });
  running.server.on('clientError', gateway.onClientError);
  const connections = gateway.limitConnections(running.server);
  return {
    url: `http://127.0.0.1:${running.address.port}`,
    gateway,
    config,
    decisions,
    logLines,
    connections,
    close: () => running.close(),
  };
}
