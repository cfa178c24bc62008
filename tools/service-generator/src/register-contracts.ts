// Registers a new service that the edge reaches with @airlock/openapi: its package becomes a dependency and its
// contracts (src/api-contract.ts, from the template) join the list the public API's document is built from, so
// the document describes its edge routes from its own zod schemas. A service the edge does not reach stays out
// (the document refuses a contract without an edge route).
import { GeneratorError } from './generator-error.js';
import { renameIn } from './copy-template.js';

export const CONTRACTS_FILE = 'packages/openapi/src/service-contracts.ts';
export const OPENAPI_MANIFEST = 'packages/openapi/package.json';

const LIST_START = 'export const serviceContracts: readonly ServiceContracts[] = [\n';

/** `service-contracts.ts` with the service's contracts imported and listed. */
export function registerContracts(source: string, name: string): string {
  const contracts = renameIn('templateServiceContracts', name);
  const start = source.indexOf(LIST_START);
  const end = start < 0 ? -1 : source.indexOf('];', start);
  const firstImport = source.indexOf('import ');
  if (start < 0 || end < 0 || firstImport < 0) {
    throw new GeneratorError(
      'contracts_file_unexpected',
      `${CONTRACTS_FILE} no longer has the list "${LIST_START.trim()} ... ];" the generator extends`,
    );
  }
  const importLine = `import { ${contracts} } from '@airlock/${name}/api-contract';\n`;
  return (
    source.slice(0, firstImport) +
    importLine +
    source.slice(firstImport, end) +
    `  ${contracts},\n` +
    source.slice(end)
  );
}

/** @airlock/openapi's package.json with the service's package among its dependencies. */
export function addOpenApiDependency(manifest: string, name: string): string {
  const parsed = JSON.parse(manifest) as { dependencies?: Record<string, string> };
  const dependencies = { ...parsed.dependencies, [`@airlock/${name}`]: 'workspace:*' };
  parsed.dependencies = Object.fromEntries(
    Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b)),
  );
  return `${JSON.stringify(parsed, null, 2)}\n`;
}
