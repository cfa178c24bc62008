// One way to open a Redis connection for Airlock's shared state: commands fail at once while disconnected (no
// offline queue, no retries), so a decision that needs Redis fails closed within `commandTimeoutMs` instead of
// waiting; the connection reconnects by itself, so the service recovers when Redis returns.
import { createRequire } from 'node:module';
import type * as IoRedis from 'ioredis';
import type { Redis } from 'ioredis';
import { SharedStateError } from './errors.js';

/** A command that has not answered after this long fails (the caller refuses: fail closed). */
export const DEFAULT_COMMAND_TIMEOUT_MS = 250;
const CONNECT_TIMEOUT_MS = 1000;
/** Reconnect attempts back off to this interval and never stop. */
const MAX_RECONNECT_DELAY_MS = 500;

export type { Redis };

const requireModule = createRequire(import.meta.url);
let redisClass: typeof IoRedis.Redis | undefined;

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
  const RedisClass = loadRedisClass();
  const redis = new RedisClass(options.url, {
    connectionName: `airlock-${options.name}`,
    connectTimeout: CONNECT_TIMEOUT_MS,
    ...(subscriber ? {} : { commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS }),
    enableOfflineQueue: subscriber,
    maxRetriesPerRequest: subscriber ? null : 0,
    autoResubscribe: true,
    retryStrategy: (times: number) => Math.min(50 * times, MAX_RECONNECT_DELAY_MS),
  });
  redis.on('error', (error: Error) => {
    options.onError(error);
  });
  return redis;
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
