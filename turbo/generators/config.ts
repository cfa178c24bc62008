// The `service` generator of `turbo gen` (what `./airlock gen:service` runs): asks for the new service's answers,
// then hands them to the service generator's command line, which checks them all before it writes anything.
// turbo gen loads this file with esbuild; it bundles the prompts module (from source, so it lints before any build) and spawns the built command line.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import type { PlopTypes } from '@turbo/gen';

import { SERVICE_PROMPTS } from '../../tools/service-generator/src/prompts.ts';

// eslint-disable-next-line no-restricted-syntax -- turbo gen (plop) loads the generator from the default export.
export default function generator(plop: PlopTypes.NodePlopAPI): void {
  plop.setGenerator('service', {
    description:
      'A new service from templates/service, declared in the topology with its zone, port and callers',
    prompts: SERVICE_PROMPTS.map((prompt) => ({ type: 'input', name: prompt.flag, message: prompt.message })),
    actions: [
      (answers) => {
        const given = answers as Record<string, unknown>;
        const flags = SERVICE_PROMPTS.flatMap((prompt) => {
          const value = given[prompt.flag];
          return typeof value === 'string' && value.trim() !== '' ? [`--${prompt.flag}`, value] : [];
        });
        const cli = join(rootOf(given), 'tools/service-generator/dist/cli/generate-service.js');
        const result = spawnSync(process.execPath, [cli, ...flags], { stdio: 'inherit' });
        if (result.status !== 0) throw new Error('the service was not generated (the reason is above)');
        return 'service generated';
      },
    ],
  });
}

/** The repository root, as turbo gen passes it with the answers. */
function rootOf(answers: Record<string, unknown>): string {
  const turbo = answers['turbo'];
  const paths =
    typeof turbo === 'object' && turbo !== null ? (turbo as { paths?: { root?: unknown } }).paths : undefined;
  if (typeof paths?.root !== 'string') throw new Error('turbo gen passed no repository root');
  return paths.root;
}
