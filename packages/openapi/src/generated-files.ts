// Where the generated files live: the document in the web shop's public folder (Vite copies it into the build,
// web serves it at /openapi.json through the gateway) and the types beside the shop's code that uses them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { OpenApiDocument } from './build-document.js';

const repoRoot = new URL('../../../', import.meta.url);

export const OPENAPI_DOCUMENT_PATH = 'apps/web/client/public/openapi.json';
export const API_TYPES_PATH = 'apps/web/client/src/api-types.ts';

export function repoFile(path: string): string {
  return fileURLToPath(new URL(path, repoRoot));
}

/** The committed document, as web serves it. */
export function readCommittedDocument(): OpenApiDocument {
  return JSON.parse(readFileSync(repoFile(OPENAPI_DOCUMENT_PATH), 'utf8')) as OpenApiDocument;
}

/** The document as it is written to disk: two-space JSON and a final newline (prettier's format for JSON). */
export function documentText(document: OpenApiDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
