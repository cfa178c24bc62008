// Issue 11, finding 10: each demo user gets a password of its own, generated once into a 0600 file, so knowing
// alice's password does not sign anyone in as carol (the admin).
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DEMO_USERNAMES, demoUsers } from '../../src/users/user-store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-demo-passwords-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('generated demo passwords', () => {
  it('gives every demo user its own password, and none signs in as another user', async () => {
    const { store, passwordFile } = await demoUsers(dir, undefined);
    const passwords = JSON.parse(await readFile(passwordFile, 'utf8')) as Record<string, string>;
    expect(Object.keys(passwords).sort()).toEqual([...DEMO_USERNAMES].sort());
    expect(new Set(Object.values(passwords)).size).toBe(DEMO_USERNAMES.length);
    for (const username of DEMO_USERNAMES) {
      for (const other of DEMO_USERNAMES) {
        const user = await store.authenticate(other, passwords[username] ?? '');
        expect(user?.username).toBe(other === username ? username : undefined);
      }
    }
  });

  it('writes them once, readable by the owner only, and says so only at that start', async () => {
    const first = await demoUsers(dir, undefined);
    expect(Object.keys(first.generatedPasswords ?? {}).sort()).toEqual([...DEMO_USERNAMES].sort());
    expect((await stat(first.passwordFile)).mode & 0o777).toBe(0o600);
    const second = await demoUsers(dir, undefined);
    expect(second.generatedPasswords).toBeUndefined();
    expect(second.passwordFile).toBe(first.passwordFile);
    const carol = first.generatedPasswords?.['carol'] ?? '';
    expect(await second.store.authenticate('carol', carol)).toEqual({ username: 'carol', roles: ['admin'] });
  });

  it('gives replicas starting together on one fresh folder the same passwords, and one of them says so', async () => {
    const starts = await Promise.all(Array.from({ length: 4 }, () => demoUsers(dir, undefined)));
    const written = JSON.parse(await readFile(join(dir, 'demo-passwords.json'), 'utf8')) as Record<
      string,
      string
    >;
    expect(starts.filter((start) => start.generatedPasswords !== undefined)).toHaveLength(1);
    for (const start of starts) {
      const carol = written['carol'] ?? '';
      expect(await start.store.authenticate('carol', carol)).toEqual({ username: 'carol', roles: ['admin'] });
    }
    // No temporary file is left behind.
    expect(await readdir(dir)).toEqual(['demo-passwords.json']);
  });
});
