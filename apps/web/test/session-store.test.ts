// The session store on its own: fresh random ids, idle and absolute lifetimes, and a bound that sheds pending
// sign-ins before signed-in users.
import { describe, expect, it } from '@jest/globals';

import { SessionStore } from '../src/session/session-store.js';
import type { SessionData } from '../src/session/session-store.js';

const pending: SessionData = { kind: 'pending', state: 's', codeVerifier: 'v', nonce: 'n' };
const signedIn: SessionData = {
  kind: 'signed-in',
  user: 'alice',
  tokens: { accessToken: 'a', refreshToken: 'r', accessExpiresAt: 0 },
};

function store(maxSessions = 10) {
  let clock = 0;
  const sessions = new SessionStore({ idleMs: 100, absoluteMs: 1000, maxSessions, now: () => clock });
  return { sessions, advance: (ms: number) => (clock += ms) };
}

describe('SessionStore', () => {
  it('gives each session a fresh 256-bit id and refuses ids of any other shape', () => {
    const { sessions } = store();
    const a = sessions.create(pending);
    const b = sessions.create(pending);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(sessions.get(`${a}x`)).toBeUndefined();
    expect(sessions.get('../../etc')).toBeUndefined();
  });

  it('expires on idleness and at the absolute lifetime, and forgets what expired', () => {
    const { sessions, advance } = store();
    const idle = sessions.create(signedIn);
    const busy = sessions.create(signedIn);
    advance(99);
    expect(sessions.get(busy)).toBe(signedIn);
    advance(1);
    expect(sessions.get(idle)).toBeUndefined();
    for (let elapsed = 100; elapsed < 950; elapsed += 50) {
      advance(50);
      expect(sessions.get(busy)).toBe(signedIn);
    }
    advance(50);
    expect(sessions.get(busy)).toBeUndefined();
    expect(sessions.size).toBe(0);
  });

  it('stays bounded: when full, pending sign-ins go first, then the least recently seen session', () => {
    const { sessions } = store(3);
    const user1 = sessions.create(signedIn);
    const waiting = sessions.create(pending);
    const user2 = sessions.create(signedIn);
    sessions.create(signedIn);
    expect(sessions.size).toBe(3);
    expect(sessions.get(waiting)).toBeUndefined();
    expect(sessions.get(user2)).toBe(signedIn);
    sessions.create(signedIn);
    expect(sessions.get(user1)).toBeUndefined();
    expect(sessions.get(user2)).toBe(signedIn);
  });

  it('checks its options when given', () => {
    expect(() => new SessionStore({ idleMs: 10, absoluteMs: 5, maxSessions: 1 })).toThrow(TypeError);
    expect(() => new SessionStore({ idleMs: 10, absoluteMs: 50, maxSessions: 0 })).toThrow(TypeError);
  });
});
