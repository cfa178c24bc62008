// Writes the OpenAPI document and the web shop's API types, or with --check fails when either is out of date.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

import { buildOpenApiDocument } from '../build-document.js';
import { API_TYPES_PATH, documentText, OPENAPI_DOCUMENT_PATH, repoFile } from '../generated-files.js';
import { renderApiTypes } from '../render-api-types.js';

const document = buildOpenApiDocument();
const files = [
  { path: OPENAPI_DOCUMENT_PATH, text: documentText(document) },
  { path: API_TYPES_PATH, text: renderApiTypes(document) },
];

const check = process.argv.includes('--check');
const stale: string[] = [];
for (const file of files) {
  const target = repoFile(file.path);
  const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
  if (current === file.text) continue;
  if (check) {
    stale.push(file.path);
  } else {
    writeFileSync(target, file.text);
    console.log(`wrote ${file.path}`);
  }
}
if (stale.length > 0) {
  console.error(`generated files out of date: ${stale.join(', ')}: run \`pnpm generate\`.`);
  process.exit(1);
}
