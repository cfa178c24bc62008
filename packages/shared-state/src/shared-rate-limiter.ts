// A token bucket kept in Redis, so that every replica takes from the same bucket: one Lua script per decision
// (refill, take, store, expire: atomic, one round trip), on Redis's clock so replicas' clocks cannot disagree.
// Same semantics as the gateway's in-memory RateLimiter. When Redis does not answer, take() rejects with
// `shared_state_unavailable` and the caller refuses (fail closed); it never guesses.
import type { Redis } from 'ioredis';
import { SharedStateError } from './errors.js';
import { integersOf, LuaScript } from './lua-script.js';

export type SharedRateDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

/** Key prefix of every bucket; the limit's name follows, then the caller's key. */
export const RATE_LIMIT_KEY_PREFIX = 'airlock:rate:';

// KEYS[1]: the bucket. ARGV: tokens per ms, burst, expiry in ms (an idle bucket is full again by then).
// Tokens are stored as a string (a Lua number returned as a reply would be truncated to an integer).
const TAKE = new LuaScript(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = tonumber(state[1])
local updated = tonumber(state[2])
if tokens == nil or updated == nil then
  tokens = burst
  updated = now
end
if now > updated then
  tokens = math.min(burst, tokens + (now - updated) * rate)
  updated = now
end
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'u', updated)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if allowed == 1 then
  return {1, 0}
end
return {0, math.ceil((1 - tokens) / rate)}
`);

export interface SharedRateLimiterOptions {
  readonly redis: Redis;
  /** Names the limit in its keys (`per-token`): two limits never share a bucket. */
  readonly name: string;
  readonly ratePerSecond: number;
  readonly burst: number;
}

const ALLOWED: SharedRateDecision = { allowed: true };

export class SharedRateLimiter {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ratePerMs: number;
  readonly #burst: number;
  readonly #expiryMs: number;

  constructor(options: SharedRateLimiterOptions) {
    if (!/^[a-z0-9-]+$/.test(options.name)) {
      throw new SharedStateError(
        'shared_state_invalid_option',
        'SharedRateLimiter: option "name" must be [a-z0-9-]+',
      );
    }
    if (!Number.isFinite(options.ratePerSecond) || options.ratePerSecond <= 0) {
      throw new SharedStateError(
        'shared_state_invalid_option',
        'SharedRateLimiter: option "ratePerSecond" must be a positive number',
      );
    }
    if (!Number.isInteger(options.burst) || options.burst < 1) {
      throw new SharedStateError(
        'shared_state_invalid_option',
        'SharedRateLimiter: option "burst" must be an integer >= 1',
      );
    }
    this.#redis = options.redis;
    this.#prefix = `${RATE_LIMIT_KEY_PREFIX}${options.name}:`;
    this.#ratePerMs = options.ratePerSecond / 1000;
    this.#burst = options.burst;
    // A bucket untouched for this long has refilled to its burst: forgetting it changes nothing.
    this.#expiryMs = Math.ceil(options.burst / this.#ratePerMs) + 1000;
  }

  /** One token from the key's bucket; rejects with `shared_state_unavailable` when Redis does not answer. */
  async take(key: string): Promise<SharedRateDecision> {
    const reply = await TAKE.run(
      this.#redis,
      [this.#prefix + key],
      [this.#ratePerMs, this.#burst, this.#expiryMs],
    );
    const [allowed = 0, retryAfterMs = 0] = integersOf(reply, 2);
    if (allowed === 1) return ALLOWED;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
  }
}
