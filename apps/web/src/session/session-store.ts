// Server-side sessions of the backend-for-frontend: the browser holds only a random id; the tokens stay here.
// Bounded in count, with idle and absolute lifetimes; ids are kept hashed, so a heap dump names no live cookie.
import { createHash, randomBytes } from 'node:crypto';

export interface SessionTokens {
  /** auth's opaque access token: presented to the gateway, never to the browser. */
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  /** Epoch milliseconds after which the access token is refreshed before use. */
  readonly accessExpiresAt: number;
}

/** A sign-in on its way through auth: what the callback must match (RFC 6749 state, PKCE, OIDC nonce). */
export interface PendingSignIn {
  readonly kind: 'pending';
  readonly state: string;
  readonly codeVerifier: string;
  readonly nonce: string;
}

export interface SignedIn {
  readonly kind: 'signed-in';
  /** The user's name (the ID token's `sub`), the only identity the page ever sees. */
  readonly user: string;
  readonly tokens: SessionTokens;
}

export type SessionData = PendingSignIn | SignedIn;

export interface SessionStoreOptions {
  readonly idleMs: number;
  readonly absoluteMs: number;
  readonly maxSessions: number;
  readonly now?: () => number;
}

interface Entry {
  data: SessionData;
  readonly createdAt: number;
  lastSeenAt: number;
}

/** 32 random bytes, base64url: the only form of a session id that the store accepts. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export function isSessionId(value: string): boolean {
  return SESSION_ID.test(value);
}

function keyOf(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

export class SessionStore {
  readonly #options: SessionStoreOptions;
  readonly #now: () => number;
  /** In least-recently-seen order: a touched entry moves to the end. */
  readonly #entries = new Map<string, Entry>();

  constructor(options: SessionStoreOptions) {
    if (!(options.idleMs > 0 && options.absoluteMs >= options.idleMs)) {
      throw new TypeError('idleMs must be positive and absoluteMs at least idleMs');
    }
    if (!Number.isInteger(options.maxSessions) || options.maxSessions < 1) {
      throw new TypeError('maxSessions must be a positive integer');
    }
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** A new session under a fresh id (never one the browser chose: no session fixation). */
  create(data: SessionData): string {
    this.#makeRoom();
    const id = randomBytes(32).toString('base64url');
    const now = this.#now();
    this.#entries.set(keyOf(id), { data, createdAt: now, lastSeenAt: now });
    return id;
  }

  /** The session's data, or undefined when unknown, idle too long or past its absolute life (then dropped). */
  get(id: string): SessionData | undefined {
    if (!isSessionId(id)) return undefined;
    const key = keyOf(id);
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    const now = this.#now();
    if (this.#expired(entry, now)) {
      this.#entries.delete(key);
      return undefined;
    }
    entry.lastSeenAt = now;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.data;
  }

  /** Replaces a live session's data (refreshed tokens); false when it is gone. */
  update(id: string, data: SessionData): boolean {
    if (!isSessionId(id)) return false;
    const entry = this.#entries.get(keyOf(id));
    if (entry === undefined) return false;
    entry.data = data;
    return true;
  }

  delete(id: string): void {
    if (isSessionId(id)) this.#entries.delete(keyOf(id));
  }

  /** Seconds the cookie may live: what is left of the absolute lifetime. */
  remainingSeconds(id: string): number {
    const entry = isSessionId(id) ? this.#entries.get(keyOf(id)) : undefined;
    if (entry === undefined) return 0;
    return Math.max(0, Math.floor((entry.createdAt + this.#options.absoluteMs - this.#now()) / 1000));
  }

  #expired(entry: Entry, now: number): boolean {
    return (
      now - entry.lastSeenAt >= this.#options.idleMs || now - entry.createdAt >= this.#options.absoluteMs
    );
  }

  /** Drops expired entries, then (still full) the oldest pending sign-in, then the least recently seen. */
  #makeRoom(): void {
    if (this.#entries.size < this.#options.maxSessions) return;
    const now = this.#now();
    for (const [key, entry] of this.#entries) if (this.#expired(entry, now)) this.#entries.delete(key);
    if (this.#entries.size < this.#options.maxSessions) return;
    const victim =
      [...this.#entries].find(([, entry]) => entry.data.kind === 'pending') ??
      this.#entries.entries().next().value;
    if (victim !== undefined) this.#entries.delete(victim[0]);
  }
}
