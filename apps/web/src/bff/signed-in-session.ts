// The browser's session as the BFF sees it: the cookie's id looked up in the store, and the user's tokens kept
// fresh. Refreshes are single-flight per session: auth rotates refresh tokens and treats a reused one as theft,
// so two concurrent calls must never both redeem the same refresh token.
import type { Request } from 'express';

import type { AuthClient } from '../oauth/auth-client.js';
import type { CookiePolicy } from '../session/session-cookie.js';
import { sessionIdOf } from '../session/session-cookie.js';
import type { SessionStore, SessionTokens, SignedIn } from '../session/session-store.js';

export interface CurrentSession {
  readonly id: string;
  readonly session: SignedIn;
}

export class SignedInSessions {
  readonly #sessions: SessionStore;
  readonly #auth: AuthClient;
  readonly #cookies: CookiePolicy;
  readonly #now: () => number;
  readonly #refreshing = new Map<string, Promise<SessionTokens | undefined>>();

  constructor(deps: { sessions: SessionStore; auth: AuthClient; cookies: CookiePolicy; now?: () => number }) {
    this.#sessions = deps.sessions;
    this.#auth = deps.auth;
    this.#cookies = deps.cookies;
    this.#now = deps.now ?? Date.now;
  }

  /** The signed-in session of the request, or undefined (no cookie, unknown, expired, or a pending sign-in). */
  of(req: Request): CurrentSession | undefined {
    const id = sessionIdOf(req, this.#cookies);
    if (id === undefined) return undefined;
    const session = this.#sessions.get(id);
    return session?.kind === 'signed-in' ? { id, session } : undefined;
  }

  /** Tokens to call the API with now: refreshed first when the access token is about to expire. */
  async usableTokens(current: CurrentSession): Promise<SessionTokens | undefined> {
    const { tokens } = current.session;
    return this.#now() < tokens.accessExpiresAt ? tokens : this.refresh(current, tokens);
  }

  /**
   * New tokens after `stale` stopped working. When another call refreshed meanwhile, its tokens are used; when
   * auth refuses, the session ends (the user signs in again) and undefined comes back.
   */
  async refresh(current: CurrentSession, stale: SessionTokens): Promise<SessionTokens | undefined> {
    const stored = this.#sessions.get(current.id);
    if (stored?.kind !== 'signed-in') return undefined;
    if (stored.tokens.accessToken !== stale.accessToken) return stored.tokens;
    let flight = this.#refreshing.get(current.id);
    if (flight === undefined) {
      flight = this.#redeem(current.id, stored).finally(() => this.#refreshing.delete(current.id));
      this.#refreshing.set(current.id, flight);
    }
    return flight;
  }

  async #redeem(id: string, session: SignedIn): Promise<SessionTokens | undefined> {
    const { refreshToken } = session.tokens;
    if (refreshToken === undefined) {
      this.#sessions.delete(id);
      return undefined;
    }
    try {
      const tokens = await this.#auth.refresh(refreshToken);
      return this.#sessions.update(id, { ...session, tokens }) ? tokens : undefined;
    } catch {
      this.#sessions.delete(id);
      return undefined;
    }
  }
}
