// The edits to the topology file: the edited source, compiled and loaded, is exactly the topology the plan
// validated, for each kind of zone; and it is formatted as the repository's prettier wants it.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { afterAll, describe, expect, it } from '@jest/globals';
import { check, resolveConfig } from 'prettier';
import ts from 'typescript';
import { airlockTopology } from '@airlock/topology';
import type { Topology } from '@airlock/topology';

import type { ServiceAnswers } from '../src/answers.js';
import { editTopologySource } from '../src/edit-topology-source.js';
import { TOPOLOGY_FILE } from '../src/generate-service.js';
import { planService } from '../src/plan-service.js';
import { EXAMPLES } from './support/example-answers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const topologyFile = join(ROOT, TOPOLOGY_FILE);
const scratch = mkdtempSync(join(tmpdir(), 'airlock-gen-topology-'));

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** Compiles packages/topology/src with the edited topology file into a folder of its own and loads it. */
async function load(edited: string, label: string): Promise<Topology> {
  const out = join(scratch, label);
  const sourceDir = join(ROOT, 'packages/topology/src');
  cpSync(sourceDir, out, { recursive: true });
  writeFileSync(join(out, 'airlock-topology.ts'), edited);
  for (const entry of readdirSync(out, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.ts')) continue;
    const { outputText } = ts.transpileModule(readFileSync(join(out, entry), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(join(out, entry.replace(/\.ts$/, '.js')), outputText);
  }
  // The scratch folder is outside the workspace: mark it as ES modules, as the package is.
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }');
  const loaded = (await import(pathToFileURL(join(out, 'airlock-topology.js')).href)) as {
    airlockTopology: Topology;
  };
  return loaded.airlockTopology;
}

const cases: [string, ServiceAnswers][] = [
  ['inventory in core', EXAMPLES.inventory],
  ['a new sandbox', EXAMPLES.scanner],
  ['a new enclave', EXAMPLES.ledger],
  ['an existing enclave', EXAMPLES.vault],
];

describe('editTopologySource', () => {
  it.each(cases)('%s: the edited file is the planned topology, formatted', async (label, answers) => {
    const plan = planService(airlockTopology, answers);
    const edited = await editTopologySource(readFileSync(topologyFile, 'utf8'), topologyFile, plan);
    const loaded = await load(edited, label.replaceAll(' ', '-'));
    expect(JSON.parse(JSON.stringify(loaded))).toEqual(JSON.parse(JSON.stringify(plan.topology)));
    expect(
      await check(edited, { ...((await resolveConfig(topologyFile)) ?? {}), filepath: topologyFile }),
    ).toBe(true);
  });

  it('changes nothing else: the original file loads as Airlock’s topology', async () => {
    const loaded = await load(readFileSync(topologyFile, 'utf8'), 'unchanged');
    expect(JSON.parse(JSON.stringify(loaded))).toEqual(JSON.parse(JSON.stringify(airlockTopology)));
  });
});
