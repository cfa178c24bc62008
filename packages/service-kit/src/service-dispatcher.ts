// The dispatcher for one service origin whose name resolves to several replicas (Docker Swarm `endpoint_mode:
// dnsrr`: no virtual IP, one address per replica). One undici Pool per address, requests spread round-robin,
// the name re-resolved on a short bounded interval and at once when a connection to an address fails.
//
// What it never does: send a request to an address the resolver did not return for this name (no address is a
// ServiceDispatcherError, never a fallback), or change the Host header (each pool keeps the service's origin and
// only its sockets are pinned to an address). An IP literal or `localhost` gets a plain Pool, as before.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Dispatcher, Dispatcher1Wrapper, Pool, buildConnector, errors } from 'undici';

/** The addresses a host name resolves to now (IPv4 or IPv6 literals); anything else in the answer is ignored. */
export type AddressResolver = (hostname: string) => Promise<readonly string[]>;

/** A resolved set is used this long; the next request after it starts a re-resolution in the background. */
export const DEFAULT_REFRESH_MS = 2_000;
/** An address whose connection failed gets no new request for this long, unless it is the only one left. */
export const DEFAULT_QUARANTINE_MS = 10_000;
/** The resolver gets this long; then the resolution counts as failed. */
export const DEFAULT_RESOLVE_TIMEOUT_MS = 2_000;
/**
 * A set older than this many refresh intervals (the service was idle) is not used: the request waits for a
 * fresh resolution, so no request goes to an address that left while nobody was asking.
 */
const MAX_AGE_IN_REFRESHES = 3;

export type ServiceDispatcherErrorCode =
  /** The resolver answered, with no usable address: the service has no replica now. */
  | 'no_address'
  /** The resolver failed or did not answer in time. */
  | 'resolve_failed';

export class ServiceDispatcherError extends Error {
  override readonly name = 'ServiceDispatcherError';
  readonly code: ServiceDispatcherErrorCode;

  constructor(code: ServiceDispatcherErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

export interface ServiceDispatcherOptions {
  /** Options of each address's pool (connections, timeouts), as for one undici Pool. */
  readonly pool?: Pool.Options;
  /** Defaults to `dns.promises.lookup(hostname, { all: true })`. Tests pass their own: loopback addresses only. */
  readonly resolve?: AddressResolver;
  readonly refreshMs?: number;
  readonly quarantineMs?: number;
  readonly resolveTimeoutMs?: number;
}

/**
 * A dispatcher for `origin` (`http://orders:8082`): a plain Pool when the host is an IP literal or `localhost`,
 * otherwise a ReplicaPool that spreads requests over every address the name resolves to.
 */
export function createServiceDispatcher(
  origin: string | URL,
  options: ServiceDispatcherOptions = {},
): Dispatcher {
  const url = new URL(origin);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0 || host === 'localhost') return new Pool(url.origin, options.pool);
  return new ReplicaPool(url, options);
}

/** What Node's built-in `fetch` takes as `dispatcher` (typed by the undici that Node bundles). */
export type FetchDispatcher = NonNullable<RequestInit['dispatcher']>;

/**
 * The same, for Node's built-in `fetch` (`fetch(url, { dispatcher })`): Node bundles an older undici whose handlers
 * this package's undici only takes through its wrapper. Closing it closes the dispatcher it wraps.
 */
export function createFetchDispatcher(
  origin: string | URL,
  options: ServiceDispatcherOptions = {},
): FetchDispatcher {
  // The wrapper exists to speak the bundled undici's handler API; the two packages' types do not name each other.
  return new Dispatcher1Wrapper(createServiceDispatcher(origin, options)) as unknown as FetchDispatcher;
}

const defaultResolver: AddressResolver = async (hostname) =>
  (await lookup(hostname, { all: true })).map((entry) => entry.address);

function checkMs(name: string, value: number | undefined, fallback: number, max: number): number {
  const ms = value ?? fallback;
  if (!Number.isInteger(ms) || ms < 1 || ms > max) {
    throw new TypeError(`createServiceDispatcher: option "${name}" must be an integer from 1 to ${max}`);
  }
  return ms;
}

interface Replica {
  readonly address: string;
  readonly pool: Pool;
  /** Epoch ms until which the address gets no new request (its last connection attempt failed). */
  quarantinedUntil: number;
}

/** The controller handed to a handler whose request failed before any pool saw it. */
class NotStarted implements Dispatcher.DispatchController {
  readonly aborted = true;
  readonly paused = false;
  readonly reason: Error;

  constructor(reason: Error) {
    this.reason = reason;
  }

  abort(): void {}

  pause(): void {}

  resume(): void {}
}

/** One undici Pool per resolved address of a host name, behind one Dispatcher. */
export class ReplicaPool extends Dispatcher {
  readonly #origin: string;
  readonly #hostname: string;
  readonly #poolOptions: Pool.Options;
  readonly #resolve: AddressResolver;
  readonly #refreshMs: number;
  readonly #quarantineMs: number;
  readonly #resolveTimeoutMs: number;
  #replicas: Replica[] = [];
  #next = 0;
  /** When the current set was resolved; 0: never. */
  #resolvedAt = 0;
  #resolving: Promise<void> | undefined;
  /** Pools of addresses that left, closing while their last requests finish. */
  readonly #leaving = new Set<Promise<void>>();
  #closed = false;

  constructor(origin: URL, options: ServiceDispatcherOptions = {}) {
    super();
    this.#origin = origin.origin;
    this.#hostname = origin.hostname;
    this.#poolOptions = options.pool ?? {};
    this.#resolve = options.resolve ?? defaultResolver;
    this.#refreshMs = checkMs('refreshMs', options.refreshMs, DEFAULT_REFRESH_MS, 60_000);
    this.#quarantineMs = checkMs('quarantineMs', options.quarantineMs, DEFAULT_QUARANTINE_MS, 300_000);
    this.#resolveTimeoutMs = checkMs(
      'resolveTimeoutMs',
      options.resolveTimeoutMs,
      DEFAULT_RESOLVE_TIMEOUT_MS,
      60_000,
    );
  }

  /** The addresses requests go to now (tests, logs). */
  get addresses(): readonly string[] {
    return this.#replicas.map((replica) => replica.address);
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (this.#closed) {
      fail(handler, new errors.ClientClosedError());
      return true;
    }
    const age = Date.now() - this.#resolvedAt;
    if (this.#replicas.length === 0 || age > this.#refreshMs * MAX_AGE_IN_REFRESHES) {
      this.#refresh().then(
        () => this.#dispatchNow(options, handler),
        (error: unknown) => {
          fail(handler, error instanceof Error ? error : new Error(String(error)));
        },
      );
      return true;
    }
    if (age > this.#refreshMs) this.#refresh().catch(noop);
    return this.#dispatchNow(options, handler);
  }

  #dispatchNow(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const replica = this.#pick();
    if (replica === undefined || this.#closed) {
      fail(handler, new ServiceDispatcherError('no_address', `${this.#hostname} resolved to no address`));
      return true;
    }
    replica.pool.dispatch(options, handler);
    // The pool queues what it cannot start; the caller never has to wait for a 'drain' from here.
    return true;
  }

  /** Round-robin over the addresses, skipping quarantined ones while another is available. */
  #pick(): Replica | undefined {
    const replicas = this.#replicas;
    const count = replicas.length;
    if (count === 0) return undefined;
    const now = Date.now();
    for (let tried = 0; tried < count; tried += 1) {
      const replica = replicas[(this.#next + tried) % count];
      if (replica !== undefined && replica.quarantinedUntil <= now) {
        this.#next = (this.#next + tried + 1) % count;
        return replica;
      }
    }
    // Every address failed lately: they are still what the name resolves to, so the next one is tried.
    const replica = replicas[this.#next % count];
    this.#next = (this.#next + 1) % count;
    return replica;
  }

  /** One resolution at a time; everyone who needs a fresh set waits for the same one. */
  #refresh(): Promise<void> {
    this.#resolving ??= this.#resolveOnce().finally(() => {
      this.#resolving = undefined;
    });
    return this.#resolving;
  }

  async #resolveOnce(): Promise<void> {
    let answer: readonly string[];
    try {
      answer = await withTimeout(this.#resolve(this.#hostname), this.#resolveTimeoutMs);
    } catch (cause) {
      // Fail closed: without a fresh answer the old addresses are not trusted to still be this service.
      this.#update([]);
      throw new ServiceDispatcherError('resolve_failed', `${this.#hostname} could not be resolved`, {
        cause,
      });
    }
    const addresses = [...new Set(answer)].filter((address) => isIP(address) !== 0);
    this.#update(addresses);
    if (addresses.length === 0) {
      throw new ServiceDispatcherError('no_address', `${this.#hostname} resolved to no address`);
    }
  }

  /** Keeps the pools of addresses that stay, adds pools for new ones, closes the pools of those that left. */
  #update(addresses: readonly string[]): void {
    this.#resolvedAt = Date.now();
    if (this.#closed) return;
    const staying = new Set(addresses);
    const kept: Replica[] = [];
    for (const replica of this.#replicas) {
      if (staying.has(replica.address)) {
        kept.push(replica);
        staying.delete(replica.address);
      } else {
        this.#retire(replica.pool);
      }
    }
    for (const address of staying) kept.push(this.#replicaFor(address));
    this.#replicas = kept;
  }

  #replicaFor(address: string): Replica {
    const { connect, connectTimeout, ...rest } = this.#poolOptions;
    const connector =
      typeof connect === 'function'
        ? connect
        : buildConnector({
            ...(connectTimeout === undefined ? {} : { timeout: connectTimeout }),
            ...connect,
          });
    const replica: Replica = {
      address,
      // The pool's origin stays the service's: Host and TLS servername name the service, not the address.
      pool: new Pool(this.#origin, {
        ...rest,
        connect: (options, callback) => {
          connector({ ...options, hostname: address }, callback);
        },
      }),
      quarantinedUntil: 0,
    };
    replica.pool.on('connectionError', () => {
      replica.quarantinedUntil = Date.now() + this.#quarantineMs;
      // The replica may have been replaced: ask again now instead of at the next interval.
      this.#refresh().catch(noop);
    });
    replica.pool.on('connect', () => {
      replica.quarantinedUntil = 0;
    });
    // A replica that stops closes its connections. Ask the name again before the next request instead of
    // connecting to an address that may be gone: a vanished container's address does not refuse, it times out.
    replica.pool.on('disconnect', () => {
      this.#resolvedAt = 0;
    });
    return replica;
  }

  #retire(pool: Pool): void {
    const closing = pool.close().catch(noop);
    this.#leaving.add(closing);
    void closing.finally(() => this.#leaving.delete(closing));
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const closing = this.#shutDown((pool) => pool.close());
    if (callback === undefined) return closing;
    closing.then(callback, callback);
  }

  override destroy(err?: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(errOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    const err = typeof errOrCallback === 'function' ? null : (errOrCallback ?? null);
    const done = typeof errOrCallback === 'function' ? errOrCallback : callback;
    const destroying = this.#shutDown((pool) => pool.destroy(err));
    if (done === undefined) return destroying;
    destroying.then(done, done);
  }

  async #shutDown(end: (pool: Pool) => Promise<void>): Promise<void> {
    this.#closed = true;
    const pools = this.#replicas.map((replica) => replica.pool);
    this.#replicas = [];
    await Promise.all([...pools.map((pool) => end(pool).catch(noop)), ...this.#leaving]);
  }
}

function fail(handler: Dispatcher.DispatchHandler, error: Error): void {
  handler.onResponseError?.(new NotStarted(error), error);
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function noop(): void {}
