// Who may sign in: demo users in development (alice, bob, and carol the admin), or the users of
// AIRLOCK_USERS_FILE. Verifying a password costs one scrypt whether the user exists or not, so neither the
// answer nor its timing tells an attacker which usernames are real.
import { randomBytes } from 'node:crypto';
import { link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  hashPassword,
  MAX_PASSWORD_LENGTH,
  parsePasswordHash,
  verifyPassword,
  type ParsedHash,
} from './password-hash.js';

export type Role = 'admin';

export interface User {
  readonly username: string;
  readonly roles: readonly Role[];
}

interface StoredUser extends User {
  readonly hash: ParsedHash;
}

export const DEMO_USERNAMES = ['alice', 'bob', 'carol'] as const;
const DEMO_ROLES: Readonly<Record<string, readonly Role[]>> = { carol: ['admin'] };
/** `{ "<username>": "<password>", ... }`, one generated password per demo user (0600). */
export const DEMO_PASSWORDS_FILE = 'demo-passwords.json';
const GENERATED_PASSWORD_BYTES = 18;
const USERNAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const MAX_USERNAME_LENGTH = 64;

export class UserStoreError extends Error {
  readonly code = 'invalid_users_file';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UserStoreError';
  }
}

export class UserStore {
  readonly #users: ReadonlyMap<string, StoredUser>;
  /** Compared against when the username is unknown, so that path costs the same scrypt as a real one. */
  readonly #dummy: ParsedHash;

  private constructor(users: ReadonlyMap<string, StoredUser>, dummy: ParsedHash) {
    this.#users = users;
    this.#dummy = dummy;
  }

  static async create(users: readonly StoredUser[]): Promise<UserStore> {
    const dummy = parsePasswordHash(await hashPassword(randomBytes(32).toString('base64url')));
    if (dummy === undefined) throw new Error('unreachable: a fresh hash does not parse');
    return new UserStore(new Map(users.map((user) => [user.username, user])), dummy);
  }

  find(username: string): User | undefined {
    const user = this.#users.get(username);
    return user === undefined ? undefined : { username: user.username, roles: user.roles };
  }

  /** The user when the password matches; undefined otherwise, after the same amount of work. */
  async authenticate(username: string, password: string): Promise<User | undefined> {
    const user = this.#users.get(username);
    if (password.length > MAX_PASSWORD_LENGTH) return undefined;
    const matches = await verifyPassword(password, user?.hash ?? this.#dummy);
    return matches && user !== undefined ? { username: user.username, roles: user.roles } : undefined;
  }
}

export interface DemoUsersResult {
  readonly store: UserStore;
  /** Set only when this start generated them: the caller says where they are, once. */
  readonly generatedPasswords: Readonly<Record<string, string>> | undefined;
  readonly passwordFile: string;
}

/**
 * Development only. Each demo user has a password of its own, generated once into `<authDir>/demo-passwords.json`
 * (0600) and read from there on later starts, so no user can sign in as another (carol is the admin). When
 * AIRLOCK_DEMO_PASSWORD is set, every demo user has that one password instead: a test override, never the default.
 */
export async function demoUsers(authDir: string, configured: string | undefined): Promise<DemoUsersResult> {
  const passwordFile = join(authDir, DEMO_PASSWORDS_FILE);
  let passwords: Readonly<Record<string, string>>;
  let generatedPasswords: Readonly<Record<string, string>> | undefined;
  if (configured !== undefined) {
    passwords = Object.fromEntries(DEMO_USERNAMES.map((username) => [username, configured]));
  } else {
    const stored = await readDemoPasswords(passwordFile);
    if (stored === undefined) {
      const fresh = Object.fromEntries(
        DEMO_USERNAMES.map((username) => [
          username,
          randomBytes(GENERATED_PASSWORD_BYTES).toString('base64url'),
        ]),
      );
      const winner = await publishDemoPasswords(passwordFile, fresh);
      passwords = winner ?? fresh;
      if (winner === undefined) generatedPasswords = fresh;
    } else {
      passwords = stored;
    }
  }
  const users = await Promise.all(
    DEMO_USERNAMES.map(async (username) => {
      const hash = parsePasswordHash(await hashPassword(passwords[username] ?? ''));
      if (hash === undefined) throw new Error('unreachable: a fresh hash does not parse');
      return { username, roles: DEMO_ROLES[username] ?? [], hash };
    }),
  );
  return { store: await UserStore.create(users), generatedPasswords, passwordFile };
}

/**
 * Writes the passwords whole under a temporary name and links them into place: two replicas starting on one fresh
 * volume never see half a file, and the one that loses the race uses the winner's passwords (returned), not its own.
 */
async function publishDemoPasswords(
  path: string,
  passwords: Readonly<Record<string, string>>,
): Promise<Readonly<Record<string, string>> | undefined> {
  const temporary = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  await writeFile(temporary, `${JSON.stringify(passwords, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, path);
    return undefined;
  } catch (error) {
    if (!(typeof error === 'object' && error !== null && 'code' in error && error.code === 'EEXIST'))
      throw error;
    const winner = await readDemoPasswords(path);
    if (winner === undefined) throw error;
    return winner;
  } finally {
    await unlink(temporary);
  }
}

/** The stored passwords, undefined when the file does not exist yet; anything else wrong is an error. */
async function readDemoPasswords(path: string): Promise<Readonly<Record<string, string>> | undefined> {
  let text: string;
  try {
    const { mode } = await stat(path);
    if ((mode & 0o077) !== 0) throw new UserStoreError(`${path} must be readable by its owner only (0600)`);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT')
      return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (cause) {
    throw new UserStoreError(`${path} could not be read as JSON`, { cause });
  }
  const entries = typeof parsed === 'object' && parsed !== null ? Object.entries(parsed) : [];
  const passwords = Object.fromEntries(
    entries.filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  if (!DEMO_USERNAMES.every((username) => (passwords[username]?.length ?? 0) >= 12)) {
    throw new UserStoreError(`${path} must hold a password of at least 12 characters for each demo user`);
  }
  return passwords;
}

/**
 * AIRLOCK_USERS_FILE: `{ "users": [{ "username": "...", "passwordHash": "scrypt$...", "roles": ["admin"] }] }`,
 * hashes made with `pnpm --filter @airlock/auth hash-password`. Demo usernames are refused, so a copied
 * development setup cannot reach production.
 */
export async function usersFromFile(path: string): Promise<UserStore> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch (cause) {
    throw new UserStoreError(`${path} could not be read as JSON`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || !('users' in parsed) || !Array.isArray(parsed.users)) {
    throw new UserStoreError(`${path}: expected { "users": [...] }`);
  }
  const users: StoredUser[] = [];
  for (const [index, entry] of (parsed.users as unknown[]).entries()) {
    users.push(parseUser(entry, `${path}: users[${index}]`));
  }
  if (users.length === 0) throw new UserStoreError(`${path}: lists no users`);
  if (new Set(users.map((user) => user.username)).size !== users.length) {
    throw new UserStoreError(`${path}: a username appears twice`);
  }
  return UserStore.create(users);
}

function parseUser(entry: unknown, where: string): StoredUser {
  if (typeof entry !== 'object' || entry === null) throw new UserStoreError(`${where}: not an object`);
  const { username, passwordHash, roles = [] } = entry as Record<string, unknown>;
  if (typeof username !== 'string' || !USERNAME.test(username)) {
    throw new UserStoreError(`${where}: username must match ${USERNAME.source}`);
  }
  if ((DEMO_USERNAMES as readonly string[]).includes(username)) {
    throw new UserStoreError(`${where}: demo user "${username}" is not allowed in a users file`);
  }
  const hash = typeof passwordHash === 'string' ? parsePasswordHash(passwordHash) : undefined;
  if (hash === undefined)
    throw new UserStoreError(`${where}: passwordHash must be an scrypt hash from hash-password`);
  if (!Array.isArray(roles) || !roles.every((role): role is Role => role === 'admin')) {
    throw new UserStoreError(`${where}: roles may only contain "admin"`);
  }
  return { username, roles, hash };
}

/** Usernames are compared exactly; this is the one normalization, applied before rate limiting too. */
export function normalizeUsername(input: string): string {
  return input.trim().toLowerCase();
}
