// Writes infra/compose/docker-compose.yml, the generated tables of infra/README.md and infra's dependencies on
// the services it builds images of (infra/package.json) from the topology, or with --check fails when any is out
// of date (CI runs `./airlock check`, so a drifted compose file or a missing service dependency fails it).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { airlockTopology, replaceGeneratedSection } from '@airlock/topology';
import { format, resolveConfig } from 'prettier';
import { renderCompose } from '../render-compose.js';
import { renderHardeningTable, renderServicesTable, renderVolumesTable } from '../render-readme-tables.js';
import { withServiceDependencies } from '../service-dependencies.js';
import { stackOf } from '../stack.js';

const infraRoot = new URL('../../', import.meta.url);
const stack = stackOf(airlockTopology);

interface GeneratedFile {
  readonly path: string;
  readonly render: (current: string | undefined, path: string) => Promise<string> | string;
}

const files: GeneratedFile[] = [
  // In the repository's own format, so that `prettier --check` and this drift check agree on one text.
  {
    path: 'compose/docker-compose.yml',
    render: async (_current, path) =>
      format(renderCompose(stack), { ...(await resolveConfig(path)), filepath: path }),
  },
  {
    path: 'README.md',
    render: (current) => {
      let text = current ?? '';
      text = replaceGeneratedSection(text, 'stack-services', renderServicesTable(stack));
      text = replaceGeneratedSection(text, 'stack-hardening', renderHardeningTable());
      return replaceGeneratedSection(text, 'stack-volumes', renderVolumesTable(stack));
    },
  },
  // The image builds deploy each service's workspace package: infra depends on exactly the topology's services.
  {
    path: 'package.json',
    render: (current) =>
      withServiceDependencies(
        current ?? '{}',
        stack.services.map((service) => service.name),
      ),
  },
];

const check = process.argv.includes('--check');
const stale: string[] = [];
for (const file of files) {
  const path = fileURLToPath(new URL(file.path, infraRoot));
  const current = readOrUndefined(path);
  const generated = await file.render(current, path);
  if (generated === current) continue;
  if (check) {
    stale.push(`infra/${file.path}`);
  } else {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, generated);
    console.log(`wrote infra/${file.path}`);
  }
}
if (stale.length > 0) {
  console.error(`generated files out of date: ${stale.join(', ')}: run \`pnpm generate\`.`);
  process.exit(1);
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
