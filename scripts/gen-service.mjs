// `./airlock gen:service [--name inventory --zone core --port 8085 --edge-prefix /api/inventory --called-by gateway]`
// Builds the service generator, then runs turbo gen's engine (@turbo/gen, the `gen` binary `turbo gen` runs) on
// the `service` generator of turbo/generators/config.ts. With flags, their values are its answers (--args, in
// prompt order), so CI runs it without a terminal; without flags, it asks. Exits non-zero when it refused.
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const run = (command, args) => spawnSync(command, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

const built = run('pnpm', [
  'exec',
  'turbo',
  'run',
  'build',
  '--filter=@airlock/service-generator...',
  '--output-logs=errors-only',
]);
if (built !== 0) process.exit(built);

const { promptArgsOf } = await import('../tools/service-generator/dist/prompts.js');
const flags = process.argv.slice(2);
let answers;
try {
  answers = flags.length === 0 ? [] : ['--args', ...promptArgsOf(flags)];
} catch (error) {
  console.error(`gen:service: refused (missing_answer): ${error.message}`);
  process.exit(1);
}
process.exit(run('pnpm', ['exec', 'gen', 'run', 'service', ...answers]));
