// Remembers successful verifications of exact tokens, so a token seen again costs a hash and a Map lookup
// instead of a signature check. Bounded in size (LRU) and in time (never past exp, max age or the TTL).
import { hash } from 'node:crypto';
import type { VerifiedToken } from './verified-token.js';

interface Entry {
  readonly token: VerifiedToken;
  readonly storedAt: number;
  /** Epoch ms from which the entry must not be served. */
  readonly expiresAt: number;
}

export class VerifiedTokenCache {
  readonly #maxEntries: number;
  readonly #maxTtlMs: number;
  // A Map iterates in insertion order; re-inserting on every hit keeps the least recently used entry first.
  readonly #entries = new Map<string, Entry>();

  constructor(maxEntries: number, maxTtlSeconds: number) {
    this.#maxEntries = maxEntries;
    this.#maxTtlMs = maxTtlSeconds * 1000;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The key is a SHA-256 digest of the whole token, so entries cannot be confused and tokens are not kept. */
  static keyOf(token: string): string {
    return hash('sha256', token, 'base64');
  }

  get(key: string, now: number): VerifiedToken | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    // An entry "from the future" means the wall clock stepped back: its TTL can no longer be trusted.
    if (now >= entry.expiresAt || now < entry.storedAt) return undefined;
    this.#entries.set(key, entry);
    return entry.token;
  }

  /** `notAfter` is the latest instant (epoch ms) the verification still holds: exp, or iat + max age. */
  set(key: string, token: VerifiedToken, now: number, notAfter: number): void {
    const expiresAt = Math.min(notAfter, now + this.#maxTtlMs);
    if (expiresAt <= now) return;
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { token, storedAt: now, expiresAt });
  }

  clear(): void {
    this.#entries.clear();
  }
}
