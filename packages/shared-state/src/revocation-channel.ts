// Revocation fan-out: auth publishes the SHA-256 (base64url) of every access token it revokes, and every gateway
// drops what it cached for those hashes at once. Best effort by design: a message lost while a gateway is
// disconnected costs nothing but time, because the cache's TTL still bounds how long a revoked token lives,
// and a gateway that (re)subscribes is told so (`onSubscribed`) and can drop its whole cache.
import type { Redis } from 'ioredis';

export const REVOCATION_CHANNEL = 'airlock:revoked';
/** What a message may carry: SHA-256 digests, base64url, separated by one space. */
const TOKEN_HASH = /^[A-Za-z0-9_-]{43}$/;
/** Hashes per message: a grant with many tokens is published in several messages. */
const MAX_HASHES_PER_MESSAGE = 100;

/** Publishes revoked token hashes; rejects when Redis does not answer (the caller logs it: the TTL still holds). */
export async function publishRevokedTokens(redis: Redis, tokenHashes: readonly string[]): Promise<void> {
  const valid = tokenHashes.filter((hash) => TOKEN_HASH.test(hash));
  for (let start = 0; start < valid.length; start += MAX_HASHES_PER_MESSAGE) {
    await redis.publish(REVOCATION_CHANNEL, valid.slice(start, start + MAX_HASHES_PER_MESSAGE).join(' '));
  }
}

export interface RevocationSubscriptionOptions {
  /** A connection made with `subscriber: true` (a subscribed connection can do nothing else). */
  readonly redis: Redis;
  readonly onRevoked: (tokenHashes: readonly string[]) => void;
  /** Called on every (re)subscription: messages may have been missed since the last one. */
  readonly onSubscribed: () => void;
}

/** Subscribes now and after every reconnect; returns a function that unsubscribes. */
export function subscribeToRevocations(options: RevocationSubscriptionOptions): () => void {
  const { redis } = options;
  const onMessage = (channel: string, message: string): void => {
    if (channel !== REVOCATION_CHANNEL) return;
    const hashes = message.split(' ').filter((hash) => TOKEN_HASH.test(hash));
    if (hashes.length > 0) options.onRevoked(hashes);
  };
  // ioredis resubscribes by itself after a reconnect; `ready` follows each (re)subscription.
  const onReady = (): void => {
    options.onSubscribed();
  };
  redis.on('message', onMessage);
  redis.on('ready', onReady);
  redis.subscribe(REVOCATION_CHANNEL).catch(() => {
    // The connection is down; autoResubscribe retries when it is back, and `ready` reports it.
  });
  return () => {
    redis.off('message', onMessage);
    redis.off('ready', onReady);
    redis.unsubscribe(REVOCATION_CHANNEL).catch(() => {
      // Closing anyway.
    });
  };
}
