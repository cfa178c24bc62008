// PasswordCheckGate: at most `maxConcurrent` checks run, waiters get the slot in order, and a full queue or a
// long wait is refused instead of queued without end.
import { describe, expect, it } from '@jest/globals';
import { PasswordCheckGate } from '../../src/users/password-check-gate.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('PasswordCheckGate', () => {
  it('runs one check at a time and hands the slot to the next waiter', async () => {
    const gate = new PasswordCheckGate({ maxConcurrent: 1, maxWaiting: 4, maxWaitMs: 5000 });
    let running = 0;
    let peak = 0;
    const first = deferred();
    const check = (hold: Promise<void>) => async () => {
      running += 1;
      peak = Math.max(peak, running);
      await hold;
      running -= 1;
      return 'checked';
    };
    const a = gate.run(check(first.promise));
    const b = gate.run(check(Promise.resolve()));
    first.resolve();
    await expect(Promise.all([a, b])).resolves.toEqual([
      { ran: true, value: 'checked' },
      { ran: true, value: 'checked' },
    ]);
    expect(peak).toBe(1);
  });

  it('refuses when the queue is full, and when the wait runs out', async () => {
    const gate = new PasswordCheckGate({ maxConcurrent: 1, maxWaiting: 1, maxWaitMs: 50 });
    const hold = deferred();
    const running = gate.run(() => hold.promise);
    const waiting = gate.run(() => Promise.resolve('late'));
    await expect(gate.run(() => Promise.resolve('no room'))).resolves.toEqual({ ran: false });
    await expect(waiting).resolves.toEqual({ ran: false });
    hold.resolve();
    await expect(running).resolves.toEqual({ ran: true, value: undefined });
    await expect(gate.run(() => Promise.resolve('free again'))).resolves.toEqual({
      ran: true,
      value: 'free again',
    });
  });

  it.each([0, -1, 1.5])('refuses an option of %p', (value) => {
    expect(() => new PasswordCheckGate({ maxConcurrent: value })).toThrow(TypeError);
  });
});
