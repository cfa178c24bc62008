// Listens with sane HTTP timeouts and limits, and shuts down gracefully: on SIGTERM/SIGINT it stops accepting,
// lets in-flight requests finish within a deadline, runs the service's onShutdown hook, then exits.
import { createServer } from 'node:http';
import type { RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Logger } from 'pino';

export const DEFAULT_HOST = '127.0.0.1';
// Docker's default stop timeout is 10 s: 8 s to drain plus SHUTDOWN_HOOK_GRACE_MS for onShutdown fit inside it.
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 8_000;
export const SHUTDOWN_HOOK_GRACE_MS = 2_000;
// A client gets this long to send its headers, and its whole request; slow-loris connections are cut after.
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
// Idle keep-alive connections close after this; longer than undici's 4 s client default, so a client never
// reuses a socket the server is closing.
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 5_000;
// Node's own default; configurable because the gateway may need room for large tokens, and may want less.
export const DEFAULT_MAX_HEADER_SIZE = 16 * 1024;
// How often Node checks the two timeouts above; its default of 30 s would let a request overrun by that much.
const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000;

export interface StartServerOptions {
  /** 1..65535, or 0 for an ephemeral port (tests). */
  readonly port: number;
  /** Default 127.0.0.1; a container that must be reached by other containers passes 0.0.0.0. */
  readonly host?: string;
  /** Listen with SO_REUSEPORT (Linux): replicas of one service share the port (ServiceBaseConfig.reusePort). */
  readonly reusePort?: boolean;
  readonly logger: Logger;
  /** Runs once after the server has closed: close pools and clients. Gets SHUTDOWN_HOOK_GRACE_MS on a signal. */
  readonly onShutdown?: () => Promise<void> | void;
  /** How long in-flight requests may take to finish on shutdown before their connections are cut. */
  readonly shutdownTimeoutMs?: number;
  readonly headersTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly keepAliveTimeoutMs?: number;
  /** Largest accepted request head in bytes; larger is answered 431 by Node. */
  readonly maxHeaderSize?: number;
  /** Install SIGTERM/SIGINT handlers that shut down and exit; default true. */
  readonly handleSignals?: boolean;
  /** How the process ends after a signal; default process.exit. Tests pass a spy. */
  readonly exit?: (code: number) => void;
}

export interface RunningServer {
  readonly server: Server;
  readonly address: AddressInfo;
  /**
   * Stops accepting, waits for in-flight requests (cutting them at the deadline), then runs onShutdown.
   * Idempotent; never exits the process. Rejects when onShutdown fails.
   */
  close(): Promise<void>;
}

export type ServerStartErrorCode = 'address_in_use' | 'permission_denied' | 'listen_failed';

/** startServer could not listen; it has logged why (naming host and port) before rejecting. */
export class ServerStartError extends Error {
  override readonly name = 'ServerStartError';
  readonly code: ServerStartErrorCode;

  constructor(code: ServerStartErrorCode, message: string, cause: unknown) {
    super(message, { cause });
    this.code = code;
  }
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Listens on host:port. Every rejection is logged at fatal level first: a ServerStartError when the port is taken
 * or cannot be bound (the message names the port), a TypeError for a bad option. So the service's index.ts only
 * has to exit with code 1: `await startServer(app, options).catch(() => process.exit(1))`.
 */
export async function startServer(app: RequestListener, options: StartServerOptions): Promise<RunningServer> {
  let settings: Settings;
  try {
    settings = checkOptions(options);
  } catch (error) {
    options.logger.fatal({ err: error }, 'invalid server options');
    throw error;
  }
  const { logger, host, port } = settings;

  let closing = false;
  const inFlight = new Set<ServerResponse>();
  const server = createServer(
    { maxHeaderSize: settings.maxHeaderSize, connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS },
    (req, res) => {
      // Requests that arrive on a kept-alive connection during shutdown are served, and the connection closed.
      if (closing) res.setHeader('Connection', 'close');
      inFlight.add(res);
      res.once('close', () => {
        inFlight.delete(res);
        // A response that had started before shutdown leaves a kept-alive socket behind: close it once idle
        // (next tick: the socket becomes idle after the response's own close).
        if (closing) {
          setImmediate(() => {
            server.closeIdleConnections();
          });
        }
      });
      app(req, res);
    },
  );
  server.headersTimeout = settings.headersTimeoutMs;
  server.requestTimeout = settings.requestTimeoutMs;
  server.keepAliveTimeout = settings.keepAliveTimeoutMs;

  await listen(server, { host, port, reusePort: settings.reusePort }, logger);
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new ServerStartError(
      'listen_failed',
      `Cannot listen on ${host}:${port}: no TCP address`,
      undefined,
    );
  }
  server.on('error', (error) => {
    logger.error({ err: error }, 'server error');
  });
  logger.info({ host: address.address, port: address.port }, 'listening');

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= shutdown();
    return closed;
  };

  const shutdown = async (): Promise<void> => {
    closing = true;
    removeSignalHandlers();
    logger.info({ inFlight: inFlight.size }, 'shutting down');
    const serverClosed = new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
    // Responses not yet started will carry Connection: close; idle keep-alive sockets go now.
    for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    server.closeIdleConnections();
    const deadline = setTimeout(() => {
      logger.warn({ inFlight: inFlight.size }, 'shutdown deadline reached; closing remaining connections');
      server.closeAllConnections();
    }, settings.shutdownTimeoutMs);
    try {
      await serverClosed;
    } finally {
      clearTimeout(deadline);
    }
    if (settings.onShutdown !== undefined) await settings.onShutdown();
    logger.info('shut down');
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'signal received');
    // Backstop for an onShutdown that hangs; a second signal gets Node's default (immediate exit), since the
    // handlers are removed as shutdown starts.
    const backstop = setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting');
      settings.exit(1);
    }, settings.shutdownTimeoutMs + SHUTDOWN_HOOK_GRACE_MS);
    backstop.unref();
    close().then(
      () => {
        clearTimeout(backstop);
        logger.flush(() => {
          settings.exit(0);
        });
      },
      (error: unknown) => {
        clearTimeout(backstop);
        logger.error({ err: error }, 'shutdown failed');
        logger.flush(() => {
          settings.exit(1);
        });
      },
    );
  };
  function removeSignalHandlers(): void {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  }
  if (settings.handleSignals) for (const signal of SIGNALS) process.once(signal, onSignal);

  return { server, address, close };
}

function listen(
  server: Server,
  { host, port, reusePort }: { host: string; port: number; reusePort: boolean },
  logger: Logger,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      const startError = toStartError(error, host, port);
      logger.fatal({ host, port, code: startError.code }, startError.message);
      reject(startError);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host, reusePort });
  });
}

function toStartError(error: NodeJS.ErrnoException, host: string, port: number): ServerStartError {
  if (error.code === 'EADDRINUSE') {
    return new ServerStartError(
      'address_in_use',
      `Cannot listen on ${host}:${port}: port ${port} is already in use`,
      error,
    );
  }
  if (error.code === 'EACCES') {
    return new ServerStartError(
      'permission_denied',
      `Cannot listen on ${host}:${port}: permission denied`,
      error,
    );
  }
  return new ServerStartError(
    'listen_failed',
    `Cannot listen on ${host}:${port}: ${error.code ?? 'unknown error'}`,
    error,
  );
}

interface Settings {
  readonly port: number;
  readonly host: string;
  readonly logger: Logger;
  readonly onShutdown: (() => Promise<void> | void) | undefined;
  readonly shutdownTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxHeaderSize: number;
  readonly handleSignals: boolean;
  readonly exit: (code: number) => void;
  readonly reusePort: boolean;
}

function checkOptions(options: StartServerOptions): Settings {
  const settings: Settings = {
    port: options.port,
    host: options.host ?? DEFAULT_HOST,
    logger: options.logger,
    onShutdown: options.onShutdown,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
    headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
    maxHeaderSize: options.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE,
    handleSignals: options.handleSignals ?? true,
    exit: options.exit ?? ((code) => process.exit(code)),
    reusePort: options.reusePort ?? false,
  };
  if (!Number.isInteger(settings.port) || settings.port < 0 || settings.port > 65535) {
    throw new TypeError('startServer: option "port" must be an integer from 0 to 65535');
  }
  if (settings.host.length === 0) throw new TypeError('startServer: option "host" must not be empty');
  for (const name of [
    'shutdownTimeoutMs',
    'headersTimeoutMs',
    'requestTimeoutMs',
    'keepAliveTimeoutMs',
  ] as const) {
    const value = settings[name];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new TypeError(`startServer: option "${name}" must be a positive integer (milliseconds)`);
    }
  }
  // Node requires headersTimeout <= requestTimeout; say so at start-up instead of at the first slow request.
  if (settings.headersTimeoutMs > settings.requestTimeoutMs) {
    throw new TypeError('startServer: option "headersTimeoutMs" must not exceed "requestTimeoutMs"');
  }
  if (
    !Number.isSafeInteger(settings.maxHeaderSize) ||
    settings.maxHeaderSize < 1024 ||
    settings.maxHeaderSize > 1024 * 1024
  ) {
    throw new TypeError(
      'startServer: option "maxHeaderSize" must be an integer from 1024 to 1048576 (bytes)',
    );
  }
  return settings;
}
