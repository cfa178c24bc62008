// `./airlock gen:service`: checks every answer and the edited topology first (nothing is written when one is
// wrong), then declares the service in the topology file, copies the template to apps/<name>, installs the
// workspace from the store and regenerates everything derived from the topology.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Topology } from '@airlock/topology';

import type { ServiceAnswers } from './answers.js';
import { copyTemplate, formatTree, removeCopy } from './copy-template.js';
import { editTopologySource } from './edit-topology-source.js';
import { GeneratorError } from './generator-error.js';
import { planService } from './plan-service.js';
import {
  addOpenApiDependency,
  CONTRACTS_FILE,
  OPENAPI_MANIFEST,
  registerContracts,
} from './register-contracts.js';
import type { ServicePlan } from './plan-service.js';

export const TOPOLOGY_FILE = 'packages/topology/src/airlock-topology.ts';
export const TEMPLATE_DIR = 'templates/service';

export interface GenerateOptions {
  /** The repository root. */
  readonly rootDir: string;
  /** The topology the file currently describes (Airlock's, as built). */
  readonly topology: Topology;
  readonly answers: ServiceAnswers;
  /** Progress lines for the person running it. */
  readonly log?: (line: string) => void;
  /** Skip `pnpm install` and `pnpm generate` (the unit tests of the file edits). */
  readonly skipInstall?: boolean;
}

export async function generateService(options: GenerateOptions): Promise<ServicePlan> {
  const { rootDir, answers } = options;
  const log = options.log ?? (() => undefined);
  const appsDir = join(rootDir, 'apps');
  const plan = planService(options.topology, answers, existsSync(appsDir) ? readdirSync(appsDir) : []);
  const topologyFile = join(rootDir, TOPOLOGY_FILE);
  const edited = await editTopologySource(readFileSync(topologyFile, 'utf8'), topologyFile, plan);
  // The public API's document describes every edge route from its service's contracts: register them too.
  const openApiEdits =
    plan.edgeRoute === undefined
      ? []
      : [
          { file: join(rootDir, CONTRACTS_FILE), edit: registerContracts },
          { file: join(rootDir, OPENAPI_MANIFEST), edit: addOpenApiDependency },
        ].map(({ file, edit }) => ({ file, text: edit(readFileSync(file, 'utf8'), answers.name) }));

  const targetDir = join(appsDir, answers.name);
  try {
    copyTemplate(join(rootDir, TEMPLATE_DIR), targetDir, answers.name);
    await formatTree(targetDir);
  } catch (error) {
    removeCopy(targetDir);
    throw error;
  }
  writeFileSync(topologyFile, edited);
  log(`declared ${answers.name} in ${TOPOLOGY_FILE}`);
  for (const { file, text } of openApiEdits) writeFileSync(file, text);
  if (openApiEdits.length > 0) log(`registered its contracts in ${CONTRACTS_FILE}`);
  log(`created apps/${answers.name} from ${TEMPLATE_DIR}`);
  if (options.skipInstall === true) return plan;

  // The lockfile gains the new package's importer: never frozen here, even where CI makes that the default.
  run(
    rootDir,
    ['install', '--offline', '--no-frozen-lockfile', '--reporter=silent'],
    'pnpm install --offline',
  );
  log('installed the workspace');
  run(rootDir, ['run', 'generate'], 'pnpm generate');
  log('regenerated the files derived from the topology');
  // Generation writes manifests too (infra's dependencies on every service's image): install once more.
  run(
    rootDir,
    ['install', '--offline', '--no-frozen-lockfile', '--reporter=silent'],
    'pnpm install --offline',
  );
  return plan;
}

function run(cwd: string, args: readonly string[], what: string): void {
  const result = spawnSync('pnpm', args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new GeneratorError(
      'step_failed',
      `${what} failed (exit ${String(result.status)}); the service is declared and copied: fix the cause and run it again`,
    );
  }
}
