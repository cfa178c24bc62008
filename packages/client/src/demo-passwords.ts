// The demo users' passwords as auth generates them at its first start: one per user, in
// `<dataDir>/auth/demo-passwords.json` (0600). The demo and sign-in commands read them from there (or from the
// auth container's volume), unless AIRLOCK_DEMO_PASSWORD overrides them all.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export function demoPasswordsFile(dataDir: string): string {
  return join(dataDir, 'auth', 'demo-passwords.json');
}

export function parseDemoPasswords(text: string): Readonly<Record<string, string>> {
  const parsed = JSON.parse(text) as unknown;
  const entries = typeof parsed === 'object' && parsed !== null ? Object.entries(parsed) : [];
  return Object.fromEntries(
    entries.filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

export async function readDemoPasswords(dataDir: string): Promise<Readonly<Record<string, string>>> {
  const file = demoPasswordsFile(dataDir);
  try {
    return parseDemoPasswords(await readFile(file, 'utf8'));
  } catch {
    throw new Error(`set AIRLOCK_DEMO_PASSWORD or start the stack first (it writes ${file})`);
  }
}

/** The password for `username`: the override when set, else the user's own; throws when there is none. */
export function passwordOf(passwords: Readonly<Record<string, string>>, username: string): string {
  const password = passwords[username];
  if (password === undefined) throw new Error(`no demo password for ${username}`);
  return password;
}
