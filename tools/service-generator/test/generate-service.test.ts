// generateService on a scratch copy of the topology file and the template: a refusal leaves every file as it was;
// an accepted service gets apps/<name> with every spelling of the template's name replaced.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { airlockTopology } from '@airlock/topology';

import type { ServiceAnswers } from '../src/answers.js';
import { GeneratorError } from '../src/generator-error.js';
import { generateService, TEMPLATE_DIR, TOPOLOGY_FILE } from '../src/generate-service.js';
import { CONTRACTS_FILE, OPENAPI_MANIFEST } from '../src/register-contracts.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const inventory: ServiceAnswers = {
  name: 'stock-levels',
  zone: 'core',
  port: 8085,
  edgePrefix: '/api/stock-levels',
  calledBy: ['gateway'],
};
let root: string;

/** Every file under `dir` with its contents, for before/after comparisons. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((entry) => !entry.includes('node_modules'))
      .flatMap((entry) => {
        try {
          return [[entry, readFileSync(join(dir, entry), 'utf8')]];
        } catch {
          return []; // a folder
        }
      }),
  );
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'airlock-gen-'));
  mkdirSync(join(root, 'apps'));
  cpSync(join(ROOT, '.prettierrc.json'), join(root, '.prettierrc.json'));
  cpSync(join(ROOT, TOPOLOGY_FILE), join(root, TOPOLOGY_FILE));
  cpSync(join(ROOT, CONTRACTS_FILE), join(root, CONTRACTS_FILE));
  cpSync(join(ROOT, OPENAPI_MANIFEST), join(root, OPENAPI_MANIFEST));
  cpSync(join(ROOT, TEMPLATE_DIR), join(root, TEMPLATE_DIR), {
    recursive: true,
    filter: (source) => !/\/(node_modules|dist)$/.test(source),
  });
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('generateService', () => {
  it.each([
    ['a taken name', { name: 'orders' }, 'name_taken'],
    ['a taken port', { port: 8080 }, 'port_taken'],
    ['an unknown zone', { zone: 'nowhere' }, 'unknown_zone'],
    ['an unknown caller', { calledBy: ['gateway', 'mallory'] }, 'unknown_caller'],
    ['a name that is not a DNS label', { name: 'Stock_Levels' }, 'invalid_name'],
  ])('refuses %s and changes nothing', async (_name, answers, code) => {
    const before = snapshot(root);
    const attempt = generateService({
      rootDir: root,
      topology: airlockTopology,
      answers: { ...inventory, ...answers },
      skipInstall: true,
    });
    await expect(attempt).rejects.toBeInstanceOf(GeneratorError);
    await expect(attempt).rejects.toMatchObject({ code });
    expect(snapshot(root)).toEqual(before);
  });

  it('declares the service and copies the template with every spelling of its name replaced', async () => {
    await generateService({
      rootDir: root,
      topology: airlockTopology,
      answers: inventory,
      skipInstall: true,
    });
    const app = snapshot(join(root, 'apps/stock-levels'));
    expect(Object.keys(app).sort()).toEqual(
      [
        'README.md',
        'jest.config.js',
        'package.json',
        'src/api-contract.ts',
        'src/app.ts',
        'src/config.ts',
        'src/index.ts',
        'src/routes/stock-levels.show.ts',
        'src/service.ts',
        'src/topology.ts',
        'test/stock-levels.errors.test.ts',
        'test/stock-levels.happy.test.ts',
        'test/stock-levels.security.test.ts',
        'test/support/harness.ts',
        'tsconfig.build.json',
        'tsconfig.json',
      ].sort(),
    );
    const all = Object.values(app).join('\n');
    expect(all).not.toMatch(
      /template-service|templateService|TemplateService|TEMPLATE_SERVICE|template-only/,
    );
    expect(app['src/config.ts']).toContain('parseStockLevelsConfig');
    // Reached from the edge: its contracts describe its routes in the public API's document.
    expect(app['src/api-contract.ts']).toContain('export const stockLevelsContracts');
    expect(readFileSync(join(root, CONTRACTS_FILE), 'utf8')).toContain('  stockLevelsContracts,\n];');
    expect(readFileSync(join(root, OPENAPI_MANIFEST), 'utf8')).toContain(
      '"@airlock/stock-levels": "workspace:*"',
    );
    expect(app['src/app.ts']).toContain('stockLevelsRoutes');
    expect(app['README.md']).toContain('AIRLOCK_STOCK_LEVELS_PORT');
    expect(app['src/service.ts']).toContain("serviceNamed(topology, 'stock-levels')");
    expect(app['src/topology.ts']).toContain(
      "export { airlockTopology as topology } from '@airlock/topology';",
    );
    expect(JSON.parse(app['package.json'] ?? '{}')).toMatchObject({ name: '@airlock/stock-levels' });
    const topology = readFileSync(join(root, TOPOLOGY_FILE), 'utf8');
    expect(topology).toContain("prefix: '/api/stock-levels'");
    expect(topology).toContain("name: 'stock-levels'");
  });
});
