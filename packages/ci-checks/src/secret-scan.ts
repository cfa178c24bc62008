// Scans the files git would commit (tracked, plus untracked ones not ignored) for credentials with secretlint:
// its recommended preset (private keys, cloud and service tokens, basic-auth URLs) and the patterns of
// .secretlintrc.json (private JWKs, client secrets, passwords). A finding passes only when
// secretlint-allowlist.json names its file, rule and exact value with a reason; an entry that matches nothing
// fails too, so the allowlist cannot outlive the test value it was written for.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runSecretLint } from 'secretlint';
import { z } from 'zod';
import { CiCheckError } from './ci-check-error.js';
import type { Problem } from './problem.js';

export const SECRETLINT_CONFIG = '.secretlintrc.json';
export const SECRET_ALLOWLIST = 'secretlint-allowlist.json';

const allowlistSchema = z.array(
  z.strictObject({
    file: z.string().min(1),
    rule: z.string().min(1),
    value: z.string().min(1),
    reason: z.string().min(20, 'say why this value is not a credential'),
  }),
);
type AllowedValue = z.infer<typeof allowlistSchema>[number];

const reportSchema = z.array(
  z.object({
    filePath: z.string(),
    messages: z.array(
      z.object({
        ruleId: z.string(),
        messageId: z.string(),
        range: z.tuple([z.number(), z.number()]),
        loc: z.object({ start: z.object({ line: z.number() }) }),
      }),
    ),
  }),
);

export async function scanForSecrets(root: string): Promise<Problem[]> {
  const files = filesGitWouldCommit(root);
  const allowlist = readAllowlist(root);
  const { stdout, stderr } = await runSecretLint({
    cliOptions: { cwd: root, filePathOrGlobList: files, noGlob: true },
    engineOptions: {
      cwd: root,
      formatter: 'json',
      color: false,
      configFilePath: join(root, SECRETLINT_CONFIG),
    },
  });
  if (stderr !== null) throw new CiCheckError('scanner_failed', `secretlint failed: ${stderr.message}`);
  const report = reportSchema.safeParse(JSON.parse(stdout ?? '[]'));
  if (!report.success) throw new CiCheckError('scanner_failed', 'secretlint printed an unexpected report');

  const used = new Set<AllowedValue>();
  const problems: Problem[] = [];
  for (const result of report.data) {
    const file = relative(root, result.filePath);
    const content = result.messages.length > 0 ? readFileSync(result.filePath, 'utf8') : '';
    for (const finding of result.messages) {
      const value = content.slice(finding.range[0], finding.range[1]);
      const allowed = allowlist.find(
        (entry) => entry.file === file && entry.rule === finding.ruleId && entry.value === value,
      );
      if (allowed !== undefined) {
        used.add(allowed);
        continue;
      }
      problems.push({
        file,
        // Never the value itself: the report must not repeat the credential it found.
        message: `line ${finding.loc.start.line}: ${finding.messageId} (${finding.ruleId}); if it is a deliberate test value, add it to ${SECRET_ALLOWLIST} with the reason`,
      });
    }
  }
  for (const entry of allowlist) {
    if (!used.has(entry)) {
      problems.push({
        file: SECRET_ALLOWLIST,
        message: `the entry for ${entry.file} (${entry.rule}) matches no finding any more: remove it`,
      });
    }
  }
  return problems;
}

function filesGitWouldCommit(root: string): string[] {
  let listing: string;
  try {
    listing = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    throw new CiCheckError(
      'not_a_git_tree',
      `cannot list the files of ${root}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  // A file deleted from the work tree but still in the index is not there to scan. The allowlist repeats the
  // values it allows; each one is checked where it is used.
  return listing
    .split('\0')
    .filter((file) => file !== '' && file !== SECRET_ALLOWLIST)
    .map((file) => join(root, file))
    .filter((file) => existsSync(file));
}

function readAllowlist(root: string): AllowedValue[] {
  const path = join(root, SECRET_ALLOWLIST);
  if (!existsSync(path)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CiCheckError(
      'invalid_allowlist',
      `${SECRET_ALLOWLIST} is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const result = allowlistSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new CiCheckError(
      'invalid_allowlist',
      `${SECRET_ALLOWLIST}: ${issue === undefined ? 'invalid' : `${issue.path.join('.')}: ${issue.message}`}`,
    );
  }
  return result.data;
}
