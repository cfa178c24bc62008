// A key source backed by a remote JWKS: fetched on first use, refetched once it is older than its max age,
// and refetched early when a token names an unknown key, but never more than once per cooldown.
import { createLocalJWKSet, errors } from 'jose';
import type { CryptoKey, FlattenedJWSInput, JSONWebKeySet, JWK, JWSHeaderParameters } from 'jose';
import { TokenVerificationError } from './errors.js';
import { fetchJwks } from './fetch-jwks.js';
import { selectKey } from './key-source.js';
import type { KeySource } from './key-source.js';

export interface RemoteJwksOptions {
  url: URL;
  timeoutMs: number;
  /** Minimum gap between two fetch attempts, successful or not: bounds outbound traffic under attack. */
  cooldownMs: number;
  /** A set older than this is never used: it is refetched first, and if that fails, tokens are refused. */
  maxAgeMs: number;
  now: () => number;
}

interface FetchedSet {
  readonly keys: ReturnType<typeof createLocalJWKSet>;
  /** One canonical string per key, to tell which keys a refresh withdrew. */
  readonly members: ReadonlySet<string>;
  readonly fetchedAt: number;
}

export function createRemoteKeySource(options: RemoteJwksOptions): KeySource {
  return new RemoteJwks(options);
}

class RemoteJwks implements KeySource {
  readonly #options: RemoteJwksOptions;
  #current: FetchedSet | undefined;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  #inFlight: Promise<void> | undefined;
  #generation = 0;

  constructor(options: RemoteJwksOptions) {
    this.#options = options;
  }

  get generation(): number {
    return this.#generation;
  }

  isFresh(): boolean {
    const current = this.#current;
    return current !== undefined && isWithin(this.#options.now() - current.fetchedAt, this.#options.maxAgeMs);
  }

  async ensureFresh(): Promise<boolean> {
    if (this.isFresh()) return true;
    try {
      await this.#refresh();
    } catch {
      return false;
    }
    return this.isFresh();
  }

  async getKey(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> {
    if (!this.isFresh()) await this.#refreshStale();
    try {
      return await selectKey(this.#currentSet().keys, header, token);
    } catch (error) {
      // An unknown key may have been rotated in since the last fetch. Any other failure is final.
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      await this.#refresh();
      return selectKey(this.#currentSet().keys, header, token);
    }
  }

  async #refreshStale(): Promise<void> {
    await this.#refresh();
    // Still stale: the fetch was refused by the cooldown after a recent failure. Fail closed.
    if (!this.isFresh()) throw unavailable();
  }

  /** Fetches unless a fetch is already running (join it) or the cooldown forbids one (do nothing). */
  #refresh(): Promise<void> {
    if (this.#inFlight !== undefined) return this.#inFlight;
    const startedAt = this.#options.now();
    if (isWithin(startedAt - this.#lastAttemptAt, this.#options.cooldownMs)) return Promise.resolve();
    this.#lastAttemptAt = startedAt;
    this.#inFlight = this.#fetchAndInstall(startedAt).finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #fetchAndInstall(startedAt: number): Promise<void> {
    const jwks = await fetchJwks(this.#options.url, this.#options.timeoutMs);
    const next: FetchedSet = { keys: toLocalSet(jwks), members: membersOf(jwks), fetchedAt: startedAt };
    const previous = this.#current;
    this.#current = next;
    if (previous !== undefined && [...previous.members].some((member) => !next.members.has(member))) {
      this.#generation += 1;
    }
  }

  #currentSet(): FetchedSet {
    // A fresh set was installed before any caller gets here; this guards the invariant without a `!`.
    if (this.#current === undefined) throw unavailable();
    return this.#current;
  }
}

/**
 * Whether `elapsed` lies in [0, limit). A negative elapsed time means the wall clock stepped back; treating
 * it as "limit passed" makes a clock step cost one refetch, instead of freezing a set or a cooldown in place.
 */
function isWithin(elapsed: number, limit: number): boolean {
  return elapsed >= 0 && elapsed < limit;
}

function toLocalSet(jwks: JSONWebKeySet): ReturnType<typeof createLocalJWKSet> {
  try {
    return createLocalJWKSet(jwks);
  } catch {
    throw unavailable();
  }
}

function membersOf(jwks: JSONWebKeySet): ReadonlySet<string> {
  return new Set(jwks.keys.map(canonicalKey));
}

function canonicalKey(key: JWK): string {
  // Member order does not change a key; sort so that a reordered but identical key compares equal.
  return JSON.stringify(Object.entries(key).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function unavailable(): TokenVerificationError {
  return new TokenVerificationError('jwks_unavailable', 'the key set is unavailable');
}
