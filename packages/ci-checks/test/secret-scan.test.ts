// The scan runs on a temporary copy of the repository (the files git would commit, committed afresh there),
// so that a test can commit a credential without ever touching the real tree.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { CiCheckError } from '../src/ci-check-error.js';
import { SECRET_ALLOWLIST, scanForSecrets } from '../src/secret-scan.js';
import { repoRoot } from './repo-root.js';

// Copying the tree and scanning it twice takes seconds, more on a busy machine.
const SCAN_TIMEOUT_MS = 120_000;
let copy = '';

function git(...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=ci-checks test', '-c', 'user.email=ci-checks@airlock.test', ...args],
    {
      cwd: copy,
      encoding: 'utf8',
    },
  );
}

function commit(file: string, content: string): void {
  mkdirSync(dirname(join(copy, file)), { recursive: true });
  writeFileSync(join(copy, file), content);
  git('add', file);
  git('commit', '--quiet', '-m', `add ${file}`);
}

beforeEach(() => {
  copy = mkdtempSync(join(tmpdir(), 'airlock-secret-scan-'));
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file !== '');
  for (const file of files) {
    try {
      cpSync(join(repoRoot, file), join(copy, file));
    } catch (error) {
      // Deleted in the work tree but still in the index: nothing to copy, nothing to scan.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  git('init', '--quiet');
  git('add', '--all');
  git('commit', '--quiet', '-m', 'copy of the tree');
});

afterEach(() => {
  rmSync(copy, { recursive: true, force: true });
});

describe('the secret scan', () => {
  it(
    'passes on the tree as committed, and fails once a private key is committed',
    async () => {
      expect(await scanForSecrets(copy)).toEqual([]);

      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      commit('apps/orders/deploy-key.pem', privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());

      const problems = await scanForSecrets(copy);
      expect(problems).toEqual([
        {
          file: 'apps/orders/deploy-key.pem',
          message: expect.stringMatching(/^line 1: .*secretlint-rule-privatekey/) as unknown,
        },
      ]);
      // What the scan prints never repeats the key.
      const body = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString().split('\n')[1] ?? '';
      expect(body.length).toBeGreaterThan(20);
      expect(JSON.stringify(problems)).not.toContain(body);
    },
    SCAN_TIMEOUT_MS,
  );

  it(
    'fails on a committed private JWK, a client secret and a password',
    async () => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      commit('packages/workload-identity/key.jwk.json', JSON.stringify(privateKey.export({ format: 'jwk' })));
      // Made per run, and written without quotes here, so that this file itself holds nothing the scan flags.
      const clientSecret = randomBytes(18).toString('base64url');
      const password = randomBytes(18).toString('base64url');
      commit('apps/auth/clients.json', JSON.stringify({ gateway: { client_secret: clientSecret } }));
      commit('e2e/login.json', JSON.stringify({ username: 'alice', password }));

      const files = (await scanForSecrets(copy)).map((problem) => problem.file).sort();
      expect(files).toEqual([
        'apps/auth/clients.json',
        'e2e/login.json',
        'packages/workload-identity/key.jwk.json',
      ]);
    },
    SCAN_TIMEOUT_MS,
  );

  it(
    'fails on an allowlist entry that matches nothing, and refuses an entry without a reason',
    async () => {
      const allowlist = JSON.parse(readFileSync(join(copy, SECRET_ALLOWLIST), 'utf8')) as Record<
        string,
        string
      >[];
      const stale = { ...allowlist[0], value: `${String(allowlist[0]?.value)}/gone` };
      commit(SECRET_ALLOWLIST, JSON.stringify([...allowlist, stale]));
      expect((await scanForSecrets(copy)).map((problem) => problem.file)).toEqual([SECRET_ALLOWLIST]);

      commit(SECRET_ALLOWLIST, JSON.stringify([{ ...allowlist[0], reason: '' }]));
      await expect(scanForSecrets(copy)).rejects.toMatchObject({ code: 'invalid_allowlist' });
      await expect(scanForSecrets(copy)).rejects.toBeInstanceOf(CiCheckError);
    },
    SCAN_TIMEOUT_MS,
  );
});
