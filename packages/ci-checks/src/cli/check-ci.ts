// `./airlock check`'s last step: validates every workflow and the Dependabot file, then scans the tree for
// committed credentials. Prints each problem and exits 1 when there is any.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dependabotProblems } from '../dependabot-problems.js';
import { formatProblem, type Problem } from '../problem.js';
import { scanForSecrets } from '../secret-scan.js';
import { workflowProblems } from '../workflow-problems.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const WORKFLOWS_DIR = '.github/workflows';
const DEPENDABOT_FILE = '.github/dependabot.yml';

const problems: Problem[] = [];
const workflows = existsSync(join(root, WORKFLOWS_DIR))
  ? readdirSync(join(root, WORKFLOWS_DIR)).filter((name) => /\.ya?ml$/.test(name))
  : [];
if (workflows.length === 0) problems.push({ file: WORKFLOWS_DIR, message: 'no workflow found' });
for (const name of workflows) {
  const file = `${WORKFLOWS_DIR}/${name}`;
  problems.push(...workflowProblems(file, readFileSync(join(root, file), 'utf8')));
}
if (existsSync(join(root, DEPENDABOT_FILE))) {
  problems.push(...dependabotProblems(DEPENDABOT_FILE, readFileSync(join(root, DEPENDABOT_FILE), 'utf8')));
} else {
  problems.push({ file: DEPENDABOT_FILE, message: 'missing' });
}
const started = Date.now();
const secrets = await scanForSecrets(root);
problems.push(...secrets);

for (const problem of problems) console.error(formatProblem(problem));
console.log(
  `ci-checks: ${workflows.length} workflow(s) and ${DEPENDABOT_FILE} validated; secret scan in ${Date.now() - started} ms; ${problems.length} problem(s)`,
);
process.exitCode = problems.length === 0 ? 0 : 1;
