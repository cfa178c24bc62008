import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { dependabotProblems } from '../src/dependabot-problems.js';
import { repoRoot } from './repo-root.js';

const FILE = '.github/dependabot.yml';
const config = readFileSync(join(repoRoot, FILE), 'utf8');

function messagesFor(source: string): string[] {
  return dependabotProblems(FILE, source).map((problem) => problem.message);
}

describe('the Dependabot file', () => {
  it('passes as committed, for the pnpm workspace and the GitHub Actions', () => {
    expect(messagesFor(config)).toEqual([]);
    expect(config).toMatch(/package-ecosystem: npm/);
    expect(config).toMatch(/package-ecosystem: github-actions/);
  });

  it('fails on a misspelled key, an unknown ecosystem, or a missing schedule', () => {
    expect(messagesFor(config.replace('open-pull-requests-limit', 'open-pull-request-limit'))).toEqual([
      expect.stringMatching(/updates\.0: Unrecognized key.*open-pull-request-limit/),
    ]);
    expect(messagesFor(config.replace('package-ecosystem: npm', 'package-ecosystem: pnpm'))).toEqual([
      expect.stringMatching(/updates\.0\.package-ecosystem/),
    ]);
    expect(messagesFor(config.replace('version: 2', 'version: 1'))).toEqual([
      expect.stringMatching(/^version:/),
    ]);
    expect(messagesFor('version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n')).toEqual([
      expect.stringMatching(/updates\.0\.schedule/),
    ]);
  });

  it('fails when it is not YAML', () => {
    expect(messagesFor('version: 2\nupdates: [\n')).toEqual([expect.stringMatching(/^not YAML/)]);
  });
});
