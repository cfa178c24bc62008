// Runs every package's test task through turbo (see the phases below), then reads each package's jest results file
// and prints one closing line `N passed, N failed`. Exits non-zero when anything failed or did not run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const RESULTS_FILE = '.jest-results.json';
const workspaceDirs = [
  ...['apps', 'packages', 'templates', 'tools'].flatMap((group) => {
    const dir = join(root, group);
    return existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : [];
  }),
  join(root, 'infra'),
  join(root, 'e2e'),
];

for (const dir of workspaceDirs) rmSync(join(dir, RESULTS_FILE), { force: true });

// Two phases on two cores: every suite but the container suite, two at a time; then the container suite
// alone, since it builds images and runs whole stacks in Docker and would starve timing-sensitive suites.
const CONTAINER_SUITE = '@airlock/infra';
const extraArgs = process.argv.slice(2);
const turbo = (args) =>
  spawnSync('pnpm', ['exec', 'turbo', 'run', 'test', '--continue', ...args, ...extraArgs], {
    cwd: root,
    stdio: 'inherit',
  }).status;
const statuses = [
  turbo([`--filter=!${CONTAINER_SUITE}`, '--concurrency=2']),
  turbo([`--filter=${CONTAINER_SUITE}`]),
];

let passed = 0;
let failed = 0;
let suitesFailedToRun = 0;
for (const dir of workspaceDirs) {
  const file = join(dir, RESULTS_FILE);
  if (!existsSync(file)) continue;
  const results = JSON.parse(readFileSync(file, 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests;
  suitesFailedToRun += results.numRuntimeErrorTestSuites;
}

if (suitesFailedToRun > 0) console.log(`${suitesFailedToRun} test suites failed to run`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(
  statuses.every((status) => status === 0) && failed === 0 && suitesFailedToRun === 0 && passed > 0 ? 0 : 1,
);
