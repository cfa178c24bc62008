// Writes the generated sections of the docs (docs/architecture.md, the threat model's service inventory and each
// service README that carries the `service-access` markers), or with --check fails when any of them is out of date.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { airlockTopology } from '../airlock-topology.js';
import { replaceGeneratedSection } from '../generated-section.js';
import { renderTopologyMarkdown } from '../render-markdown.js';
import { renderServiceAccessMarkdown } from '../render-service-access.js';
import { renderServiceInventoryMarkdown } from '../render-service-inventory.js';

const repoRoot = new URL('../../../../', import.meta.url);

interface GeneratedDoc {
  readonly path: string;
  readonly section: string;
  readonly render: () => string;
}

const docs: GeneratedDoc[] = [
  {
    path: 'docs/architecture.md',
    section: 'topology',
    render: () => renderTopologyMarkdown(airlockTopology),
  },
  {
    path: 'docs/threat-model.md',
    section: 'services',
    render: () => renderServiceInventoryMarkdown(airlockTopology),
  },
  ...airlockTopology.services.map((service) => ({
    path: `apps/${service.name}/README.md`,
    section: 'service-access',
    render: () => renderServiceAccessMarkdown(airlockTopology, service.name),
  })),
];

const check = process.argv.includes('--check');
const stale: string[] = [];
for (const doc of docs) {
  const file = fileURLToPath(new URL(doc.path, repoRoot));
  // A service README appears with its service; until then there is nothing to generate into.
  if (!existsSync(file) && doc.path.startsWith('apps/')) continue;
  const current = readFileSync(file, 'utf8');
  const generated = replaceGeneratedSection(current, doc.section, doc.render());
  if (generated === current) continue;
  if (check) {
    stale.push(doc.path);
  } else {
    writeFileSync(file, generated);
    console.log(`wrote ${doc.path}`);
  }
}
if (stale.length > 0) {
  console.error(`generated sections out of date in ${stale.join(', ')}: run \`pnpm generate\`.`);
  process.exit(1);
}
