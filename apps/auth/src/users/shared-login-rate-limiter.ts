// The login limits of LoginRateLimiter kept in Redis, so that every auth replica counts the same failures: the
// same three buckets (username from one client, client across usernames: refused when empty; username from
// everywhere: slowed down when empty), reserved before the password is hashed and given back on success, each
// step one atomic Lua script (one round trip). Bucket keys are SHA-256 digests: Redis never holds a username or
// an address. When Redis does not answer, reserve() rejects with `shared_state_unavailable` and the sign-in is
// refused (fail closed).
import { createHash } from 'node:crypto';
import type { Redis } from '@airlock/shared-state/connection';
import { integersOf, LuaScript } from '@airlock/shared-state/lua-script';
import {
  DEFAULT_PER_ADDRESS,
  DEFAULT_PER_USERNAME,
  USERNAME_SLOWDOWN_MS,
  type BucketPolicy,
  type LoginLimiterStore,
  type LoginReservation,
} from './login-rate-limiter.js';

const KEY_PREFIX = 'airlock:login:';

// KEYS: the (username, client) bucket, the username bucket, the client bucket. ARGV: username capacity and
// refill seconds, client capacity and refill seconds, -1 (reserve) or 1 (give back).
// Reserve answers {0, seconds to wait} or {1, 1 when the username is slowed down else 0}.
const SETTLE = new LuaScript(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local userCapacity, userRefill = tonumber(ARGV[1]), tonumber(ARGV[2])
local addressCapacity, addressRefill = tonumber(ARGV[3]), tonumber(ARGV[4])
local delta = tonumber(ARGV[5])
local function refilled(key, capacity, refill)
  local state = redis.call('HMGET', key, 't', 'u')
  local tokens, updated = tonumber(state[1]), tonumber(state[2])
  if tokens == nil or updated == nil then return capacity end
  return math.min(capacity, tokens + math.max(0, now - updated) / 1000 / refill)
end
local function wait(tokens, refill)
  if tokens >= 1 then return 0 end
  return math.ceil((1 - tokens) * refill)
end
local function store(key, tokens, capacity, refill)
  redis.call('HSET', key, 't', tostring(math.min(capacity, math.max(0, tokens + delta))), 'u', now)
  redis.call('PEXPIRE', key, math.ceil(capacity * refill * 1000) + 1000)
end
local pair = refilled(KEYS[1], userCapacity, userRefill)
local user = refilled(KEYS[2], userCapacity, userRefill)
local address = refilled(KEYS[3], addressCapacity, addressRefill)
local slowed = 0
if delta < 0 then
  local refusal = math.max(wait(pair, userRefill), wait(address, addressRefill))
  if refusal > 0 then return {0, refusal} end
  if wait(user, userRefill) > 0 then slowed = 1 end
end
store(KEYS[1], pair, userCapacity, userRefill)
store(KEYS[2], user, userCapacity, userRefill)
store(KEYS[3], address, addressCapacity, addressRefill)
return {1, slowed}
`);

export interface SharedLoginRateLimiterOptions {
  readonly redis: Redis;
  readonly perUsername?: BucketPolicy;
  readonly perAddress?: BucketPolicy;
  /** A reservation that could not be given back stays a failure (the safe side); this hears about it. */
  readonly onReleaseFailed: (error: unknown) => void;
}

function digest(kind: string, value: string): string {
  return `${KEY_PREFIX}${kind}:${createHash('sha256').update(value).digest('base64url')}`;
}

export class SharedLoginRateLimiter implements LoginLimiterStore {
  readonly #redis: Redis;
  readonly #args: readonly number[];
  readonly #onReleaseFailed: (error: unknown) => void;

  constructor(options: SharedLoginRateLimiterOptions) {
    const perUsername = options.perUsername ?? DEFAULT_PER_USERNAME;
    const perAddress = options.perAddress ?? DEFAULT_PER_ADDRESS;
    this.#redis = options.redis;
    this.#args = [
      perUsername.capacity,
      perUsername.refillSeconds,
      perAddress.capacity,
      perAddress.refillSeconds,
    ];
    this.#onReleaseFailed = options.onReleaseFailed;
  }

  async reserve(username: string, address: string): Promise<LoginReservation> {
    // JSON, so no username or address can be crafted to collide with another pair.
    const keys = [
      digest('pair', JSON.stringify([username, address])),
      digest('user', username),
      digest('address', address),
    ];
    const [allowed = 0, detail = 0] = integersOf(await SETTLE.run(this.#redis, keys, [...this.#args, -1]), 2);
    if (allowed !== 1) return { allowed: false, retryAfterSeconds: Math.max(1, detail) };
    let settled = false;
    return {
      allowed: true,
      delayMs: detail === 1 ? USERNAME_SLOWDOWN_MS : 0,
      release: () => {
        if (settled) return;
        settled = true;
        SETTLE.run(this.#redis, keys, [...this.#args, 1]).catch(this.#onReleaseFailed);
      },
    };
  }
}
