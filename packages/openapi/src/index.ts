// The public API's OpenAPI 3.1 document, built from the services' zod contracts and the topology, and a
// validator of answers against it.
export { buildOpenApiDocument, openApiPath, OPENAPI_VERSION } from './build-document.js';
export type { OpenApiDocument } from './build-document.js';
export { createAnswerValidator } from './validate-answer.js';
export type { AnswerValidator, RecordedAnswer } from './validate-answer.js';
export { renderApiTypes } from './render-api-types.js';
export { OpenApiError } from './openapi-error.js';
export type { OpenApiErrorCode } from './openapi-error.js';
export { API_TYPES_PATH, OPENAPI_DOCUMENT_PATH, readCommittedDocument } from './generated-files.js';
