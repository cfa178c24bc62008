import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { workflowProblems } from '../src/workflow-problems.js';
import { repoRoot } from './repo-root.js';

const FILE = '.github/workflows/ci.yml';
const workflow = readFileSync(join(repoRoot, FILE), 'utf8');

function brokenCopy(from: string, to: string): string {
  expect(workflow).toContain(from);
  return workflow.replace(from, to);
}

describe('the CI workflow', () => {
  it('passes the validator as committed', () => {
    expect(workflowProblems(FILE, workflow)).toEqual([]);
  });

  it('fails when a deliberately broken copy misspells a required key', () => {
    const problems = workflowProblems(FILE, brokenCopy('runs-on:', 'runs_on:'));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.map((problem) => problem.message).join('\n')).toMatch(/schema: .*runs_on/);
  });

  it('fails when a copy is not even YAML', () => {
    const problems = workflowProblems(FILE, brokenCopy('jobs:', 'jobs: [\n'));
    expect(problems.map((problem) => problem.message).join('\n')).toMatch(/schema: Parse Error/);
  });

  it('fails when an action is pinned by a tag instead of a commit', () => {
    const pinned = /uses: actions\/checkout@[0-9a-f]{40} # v[\d.]+/.exec(workflow)?.[0] ?? '';
    const problems = workflowProblems(FILE, brokenCopy(pinned, 'uses: actions/checkout@v4'));
    expect(problems.map((problem) => problem.message)).toEqual([
      expect.stringMatching(/actions\/checkout@v4 is not pinned by a full commit SHA/),
    ]);
  });

  it('fails when a pinned action has no version comment', () => {
    const pinned = /(uses: actions\/checkout@[0-9a-f]{40}) # v[\d.]+/.exec(workflow);
    const problems = workflowProblems(FILE, brokenCopy(pinned?.[0] ?? '', pinned?.[1] ?? ''));
    expect(problems.map((problem) => problem.message)).toEqual([
      expect.stringMatching(/has no version comment/),
    ]);
  });

  it('fails when the token may write, or a job has no timeout', () => {
    const writable = workflowProblems(FILE, brokenCopy('contents: read', 'contents: write'));
    expect(writable.map((problem) => problem.message)).toEqual([expect.stringMatching(/permissions/)]);
    const endless = workflowProblems(FILE, brokenCopy('    timeout-minutes: 60\n', ''));
    expect(endless.map((problem) => problem.message)).toEqual(['job ci has no timeout-minutes']);
  });
});
