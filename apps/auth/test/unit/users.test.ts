// Passwords and the login rate limiter.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { hashPassword, parsePasswordHash, verifyPassword } from '../../src/users/password-hash.js';
import { LoginRateLimiter } from '../../src/users/login-rate-limiter.js';
import { demoUsers, usersFromFile } from '../../src/users/user-store.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-users-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('password hashes', () => {
  it('round-trips and rejects a wrong password', async () => {
    const hash = parsePasswordHash(await hashPassword('s3cret-passphrase'));
    expect(hash).toBeDefined();
    if (hash === undefined) return;
    expect(await verifyPassword('s3cret-passphrase', hash)).toBe(true);
    expect(await verifyPassword('s3cret-passphrasE', hash)).toBe(false);
  });

  it.each([
    'plain',
    'scrypt$1024$8$1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g',
    'bcrypt$x',
  ])('refuses %j as a stored hash', (value) => {
    expect(parsePasswordHash(value)).toBeUndefined();
  });
});

describe('demo users', () => {
  it('generates the passwords once into a 0600 file and reuses them', async () => {
    const first = await demoUsers(dir, undefined);
    expect(first.generatedPasswords).toBeDefined();
    expect((await stat(first.passwordFile)).mode & 0o777).toBe(0o600);
    const second = await demoUsers(dir, undefined);
    expect(second.generatedPasswords).toBeUndefined();
    // Issue 11, finding 10: one password per user (this asserted one shared password before).
    const passwords = JSON.parse(await readFile(first.passwordFile, 'utf8')) as Record<string, string>;
    const carol = passwords['carol'] ?? '';
    expect(await second.store.authenticate('carol', carol)).toEqual({
      username: 'carol',
      roles: ['admin'],
    });
    expect(await second.store.authenticate('alice', passwords['alice'] ?? '')).toEqual({
      username: 'alice',
      roles: [],
    });
    expect(await second.store.authenticate('mallory', carol)).toBeUndefined();
  });
});

describe('users file (production)', () => {
  it('accepts what the hash-password command prints', async () => {
    const bin = fileURLToPath(new URL('../../dist/cli/hash-password.js', import.meta.url));
    const child = execFile(process.execPath, [bin]);
    child.stdin?.end('a-long-enough-passphrase\n');
    const stdout = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('error', reject);
      child.on('close', () => {
        resolve(out);
      });
    });
    const file = join(dir, 'from-cli.json');
    await writeFile(file, JSON.stringify({ users: [{ username: 'erin', passwordHash: stdout.trim() }] }));
    const store = await usersFromFile(file);
    expect(await store.authenticate('erin', 'a-long-enough-passphrase')).toEqual({
      username: 'erin',
      roles: [],
    });
  });

  it('loads scrypt hashes and roles', async () => {
    const file = join(dir, 'users.json');
    await writeFile(
      file,
      JSON.stringify({
        users: [{ username: 'dana', passwordHash: await hashPassword('long-passphrase'), roles: ['admin'] }],
      }),
    );
    const store = await usersFromFile(file);
    expect(await store.authenticate('dana', 'long-passphrase')).toEqual({
      username: 'dana',
      roles: ['admin'],
    });
  });

  it.each([
    ['a demo user', { username: 'alice', passwordHash: 'x' }],
    ['a plain-text password', { username: 'dana', password: 'hunter2' }],
    ['an unknown role', { username: 'dana', passwordHash: 'x', roles: ['root'] }],
  ])('refuses %s', async (_name, user) => {
    const file = join(dir, 'bad-users.json');
    await writeFile(file, JSON.stringify({ users: [user] }));
    await expect(usersFromFile(file)).rejects.toMatchObject({ code: 'invalid_users_file' });
  });
});

describe('LoginRateLimiter', () => {
  it('allows a burst of failures, then asks to wait, then refills', () => {
    const clock = { now: 0 };
    const limiter = new LoginRateLimiter({
      perUsername: { capacity: 2, refillSeconds: 10 },
      perAddress: { capacity: 100, refillSeconds: 1 },
      now: () => clock.now,
    });
    limiter.recordFailure('alice', '10.0.0.1');
    expect(limiter.retryAfterSeconds('alice', '10.0.0.1')).toBe(0);
    limiter.recordFailure('alice', '10.0.0.1');
    expect(limiter.retryAfterSeconds('alice', '10.0.0.1')).toBe(10);
    expect(limiter.retryAfterSeconds('bob', '10.0.0.1')).toBe(0);
    clock.now += 10_000;
    expect(limiter.retryAfterSeconds('alice', '10.0.0.1')).toBe(0);
  });

  it('bounds its memory by evicting the least recently touched buckets', () => {
    const limiter = new LoginRateLimiter({
      perUsername: { capacity: 1, refillSeconds: 600 },
      perAddress: { capacity: 1000, refillSeconds: 1 },
      maxBuckets: 2,
      now: () => 0,
    });
    limiter.recordFailure('a', 'ip');
    limiter.recordFailure('b', 'ip');
    limiter.recordFailure('c', 'ip');
    expect(limiter.retryAfterSeconds('a', 'ip2')).toBe(0);
    expect(limiter.retryAfterSeconds('c', 'ip2')).toBeGreaterThan(0);
  });
});
