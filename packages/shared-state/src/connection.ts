// One way to open a Redis connection for Airlock's shared state: commands fail at once while disconnected (no
// offline queue, no retries), so a decision that needs Redis fails closed within `commandTimeoutMs` instead of
// waiting (answerOf); the connection reconnects by itself, so the service recovers when Redis returns.
import { createRequire } from 'node:module';
import type * as IoRedis from 'ioredis';
import type { Redis } from 'ioredis';
import { SharedStateError } from './errors.js';

/**
 * A command that has not answered after this long fails (the caller refuses: fail closed). Long enough for a
 * machine that runs many containers on few cores (the container suite's 2-core host, at a load average of 30,
 * refused one request in 4,092 with 250 ms), short enough that a hung Redis costs each request at most a second.
 */
export const DEFAULT_COMMAND_TIMEOUT_MS = 1000;
/**
 * ioredis' own timer is only a backstop that clears a hung connection's queue: it fires on time even when the
 * answer is already in the socket (it cannot tell), so it must never be what decides (answerOf decides).
 */
const BACKSTOP_TIMEOUT_FACTOR = 5;
const CONNECT_TIMEOUT_MS = 1000;
/** Reconnect attempts back off to this interval and never stop. */
const MAX_RECONNECT_DELAY_MS = 500;

export type { Redis };

const requireModule = createRequire(import.meta.url);
let redisClass: typeof IoRedis.Redis | undefined;
/** Each connection's `commandTimeoutMs`, for answerOf. */
const commandTimeouts = new WeakMap<Redis, number>();

/**
 * ioredis is loaded on the first connection, not when a service imports this module: loading it adds ~32 MB to a
 * process's resident memory (measured: RSS before and after `import('ioredis')` on Node 24), which a gateway or
 * auth without AIRLOCK_REDIS_URL should not pay. `require` keeps connectRedis synchronous (ioredis is CommonJS).
 */
function loadRedisClass(): typeof IoRedis.Redis {
  redisClass ??= (requireModule('ioredis') as typeof IoRedis).Redis;
  return redisClass;
}

/** `redis://` or `rediss://` with a host: what AIRLOCK_REDIS_URL accepts. */
export function isRedisUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
}

export interface RedisConnectionOptions {
  readonly url: string;
  /** Shown in CLIENT LIST, e.g. `gateway-limits`. */
  readonly name: string;
  /** Connection errors (refused, reset); the connection keeps retrying. Never includes a password. */
  readonly onError: (error: Error) => void;
  readonly commandTimeoutMs?: number;
  /** A subscriber queues its SUBSCRIBE until connected and resubscribes after every reconnect. */
  readonly subscriber?: boolean;
}

export function connectRedis(options: RedisConnectionOptions): Redis {
  if (!isRedisUrl(options.url)) {
    throw new SharedStateError(
      'shared_state_invalid_option',
      'connectRedis: option "url" must be a redis:// URL',
    );
  }
  const subscriber = options.subscriber === true;
  const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  if (!Number.isInteger(commandTimeoutMs) || commandTimeoutMs < 1) {
    throw new SharedStateError(
      'shared_state_invalid_option',
      'connectRedis: option "commandTimeoutMs" must be an integer >= 1',
    );
  }
  const RedisClass = loadRedisClass();
  const redis = new RedisClass(options.url, {
    connectionName: `airlock-${options.name}`,
    connectTimeout: CONNECT_TIMEOUT_MS,
    ...(subscriber ? {} : { commandTimeout: commandTimeoutMs * BACKSTOP_TIMEOUT_FACTOR }),
    enableOfflineQueue: subscriber,
    maxRetriesPerRequest: subscriber ? null : 0,
    autoResubscribe: true,
    retryStrategy: (times: number) => Math.min(50 * times, MAX_RECONNECT_DELAY_MS),
  });
  redis.on('error', (error: Error) => {
    options.onError(error);
  });
  commandTimeouts.set(redis, commandTimeoutMs);
  return redis;
}

/**
 * The answer to `command` (sent on `redis`), or `shared_state_unavailable` when Redis has not answered within the
 * connection's `commandTimeoutMs`. An answer that arrived while this process could not run (a GC pause, a starved
 * CPU) still counts: when the timer fires, the verdict waits one turn of the event loop (setImmediate runs after
 * the poll phase has read the socket), so only a Redis that really did not answer is refused.
 */
export function answerOf<T>(redis: Redis, command: Promise<T>): Promise<T> {
  const timeoutMs = commandTimeouts.get(redis) ?? DEFAULT_COMMAND_TIMEOUT_MS;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      finish();
    };
    const timer = setTimeout(() => {
      setImmediate(() => {
        settle(() => {
          reject(new SharedStateError('shared_state_unavailable', 'Redis did not answer in time'));
        });
      });
    }, timeoutMs);
    command.then(
      (value) => {
        settle(() => {
          resolve(value);
        });
      },
      (error: unknown) => {
        settle(() => {
          reject(error instanceof Error ? error : new Error(String(error)));
        });
      },
    );
  });
}

/** True when the connection can take a command now. */
export function isReady(redis: Redis): boolean {
  return redis.status === 'ready';
}

/** Closes the connection without waiting for a reconnect (shutdown, tests). */
export async function disconnectRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  redis.disconnect(false);
  await Promise.resolve();
}
