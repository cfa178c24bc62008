// Runs every package's test task through turbo (see the phases below), then reads each package's jest results file
// and prints one closing line `N passed, N failed`. Exits non-zero when anything failed or did not run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const RESULTS_FILES = ['.jest-results.json', '.jest-swarm-results.json'];
const workspaceDirs = [
  ...['apps', 'packages', 'templates', 'tools'].flatMap((group) => {
    const dir = join(root, group);
    return existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : [];
  }),
  join(root, 'infra'),
  join(root, 'e2e'),
];

for (const dir of workspaceDirs) {
  for (const file of RESULTS_FILES) rmSync(join(dir, file), { force: true });
}

// Suites start real PostgreSQL and Redis servers and a real Chromium: install them when missing (root), or say
// what is missing (any other user) before any suite runs.
const packagesReady = spawnSync('bash', [join(root, 'scripts/ensure-system-packages.sh')], {
  stdio: 'inherit',
});
if (packagesReady.status !== 0) process.exit(1);

// Four phases on two cores, each timed: every suite but the heavy ones, two at a time; then the service generator's
// proof alone (it installs, builds, lints and tests a whole copy of the repository, and would starve
// timing-sensitive suites); then the container suite alone (it builds images and runs whole stacks in Docker);
// then the Swarm proofs alone (infra's test:swarm: the stack on a single-node swarm, every replica, and the swarm
// left again).
const GENERATOR_PROOF = '@airlock/service-generator';
const CONTAINER_SUITE = '@airlock/infra';
const extraArgs = process.argv.slice(2);
const phases = [
  [
    'suites, two at a time',
    'test',
    [`--filter=!${CONTAINER_SUITE}`, `--filter=!${GENERATOR_PROOF}`, '--concurrency=2'],
  ],
  ['service generator proof, alone', 'test', [`--filter=${GENERATOR_PROOF}`]],
  ['container suite, alone', 'test', [`--filter=${CONTAINER_SUITE}`]],
  ['swarm proofs, alone', 'test:swarm', [`--filter=${CONTAINER_SUITE}`]],
];
const statuses = phases.map(([name, task, args]) => {
  const started = Date.now();
  const { status } = spawnSync('pnpm', ['exec', 'turbo', 'run', task, '--continue', ...args, ...extraArgs], {
    cwd: root,
    stdio: 'inherit',
  });
  console.log(`tests: phase '${name}' took ${Math.round((Date.now() - started) / 1000)} s`);
  return status;
});

let passed = 0;
let failed = 0;
let suitesFailedToRun = 0;
for (const file of workspaceDirs.flatMap((dir) => RESULTS_FILES.map((name) => join(dir, name)))) {
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
