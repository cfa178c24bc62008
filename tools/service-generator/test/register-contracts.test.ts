// The generator's edits of @airlock/openapi: the real contracts list gains the new service, and a list it no
// longer recognises is refused before anything is written.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';

import { GeneratorError } from '../src/generator-error.js';
import {
  addOpenApiDependency,
  CONTRACTS_FILE,
  OPENAPI_MANIFEST,
  registerContracts,
} from '../src/register-contracts.js';

const root = new URL('../../../', import.meta.url);
const read = (file: string): string => readFileSync(new URL(file, root), 'utf8');

describe('registering a new service with @airlock/openapi', () => {
  it('imports and lists its contracts in the list the document is built from', () => {
    const before = read(CONTRACTS_FILE);
    const after = registerContracts(before, 'stock-ledger');
    expect(after).toContain("import { stockLedgerContracts } from '@airlock/stock-ledger/api-contract';\n");
    expect(after).toMatch(
      /serviceContracts: readonly ServiceContracts\[\] = \[\n[\s\S]* {2}stockLedgerContracts,\n\];/,
    );
    expect(after.length - before.length).toBe(
      "import { stockLedgerContracts } from '@airlock/stock-ledger/api-contract';\n  stockLedgerContracts,\n"
        .length,
    );
  });

  it('adds its package to the dependencies, sorted', () => {
    const manifest = JSON.parse(addOpenApiDependency(read(OPENAPI_MANIFEST), 'stock-ledger')) as {
      dependencies: Record<string, string>;
    };
    expect(manifest.dependencies['@airlock/stock-ledger']).toBe('workspace:*');
    const names = Object.keys(manifest.dependencies);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });

  it('refuses a contracts file without the list (contracts_file_unexpected)', () => {
    let refused: unknown;
    try {
      registerContracts('export const other = [];\n', 'stock-ledger');
    } catch (error) {
      refused = error;
    }
    expect(refused instanceof GeneratorError ? refused.code : refused).toBe('contracts_file_unexpected');
  });
});
