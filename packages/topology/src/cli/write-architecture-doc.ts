// Writes the topology section of docs/architecture.md, or with --check fails when it is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { airlockTopology } from '../airlock-topology.js';
import { replaceGeneratedSection } from '../generated-section.js';
import { renderTopologyMarkdown } from '../render-markdown.js';

const docPath = fileURLToPath(new URL('../../../../docs/architecture.md', import.meta.url));
const current = readFileSync(docPath, 'utf8');
const generated = replaceGeneratedSection(current, 'topology', renderTopologyMarkdown(airlockTopology));

if (process.argv.includes('--check')) {
  if (generated !== current) {
    console.error('docs/architecture.md differs from what @airlock/topology generates: run `pnpm generate`.');
    process.exit(1);
  }
} else if (generated !== current) {
  writeFileSync(docPath, generated);
  console.log('wrote docs/architecture.md');
}
