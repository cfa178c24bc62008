// A Lua script run by its SHA-1 (EVALSHA: one round trip), loaded with EVAL the first time a server has not
// seen it (after a restart, too). Any failure to get an answer is `shared_state_unavailable`.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { answerOf } from './connection.js';
import { SharedStateError } from './errors.js';

export class LuaScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await answerOf(redis, redis.evalsha(this.#sha, keys.length, ...keys, ...args));
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw unavailable(error);
    }
    try {
      return await answerOf(redis, redis.eval(this.#source, keys.length, ...keys, ...args));
    } catch (error) {
      throw unavailable(error);
    }
  }
}

function unavailable(cause: unknown): SharedStateError {
  return new SharedStateError('shared_state_unavailable', 'Redis did not answer the script', { cause });
}

/** The script's reply as an array of integers, or `shared_state_invalid_reply`. */
export function integersOf(reply: unknown, length: number): number[] {
  if (!Array.isArray(reply) || reply.length !== length || !reply.every((item) => Number.isInteger(item))) {
    throw new SharedStateError('shared_state_invalid_reply', 'the script answered an unexpected reply');
  }
  return reply as number[];
}
