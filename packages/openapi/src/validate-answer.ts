// Checks an answer a client received against the document: the operation of its method and path must list its
// status, and a JSON body must validate against that response's schema (Ajv, JSON Schema 2020-12). The
// cross-service suites run every answer they get from the edge through this.
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';

import type { JsonSchema } from './json-schema.js';
import type { OpenApiDocument } from './build-document.js';

export interface RecordedAnswer {
  readonly method: string;
  /** The request path, without the query string. */
  readonly path: string;
  readonly status: number;
  readonly contentType: string | undefined;
  /** The parsed JSON body, when the answer was JSON. */
  readonly body: unknown;
}

export interface AnswerValidator {
  /** What is wrong with the answer ([] when it is as described); undescribed routes are not checked. */
  problemsOf(answer: RecordedAnswer): string[];
}

interface DescribedOperation {
  readonly method: string;
  readonly segments: readonly (string | undefined)[];
  readonly responses: Readonly<Record<string, JsonSchema>>;
}

export function createAnswerValidator(document: OpenApiDocument): AnswerValidator {
  // zod writes each format it checks as a pattern too, so Ajv needs no format plugin.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  // The document's shared schemas as one schema of Ajv's, so that every `$ref` resolves to them.
  const components = (document['components'] as { schemas: Readonly<Record<string, JsonSchema>> }).schemas;
  ajv.addSchema(relink({ $id: COMPONENTS_ID, $defs: components }));
  const operations: DescribedOperation[] = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({
      method: method.toUpperCase(),
      segments: segmentsOf(path).map((segment) => (segment.startsWith('{') ? undefined : segment)),
      responses: operation['responses'] as Readonly<Record<string, JsonSchema>>,
    })),
  );
  const compiled = new Map<JsonSchema, ValidateFunction>();

  return {
    problemsOf(answer) {
      const segments = segmentsOf(answer.path);
      const operation = operations.find(
        (candidate) => candidate.method === answer.method && matches(candidate.segments, segments),
      );
      if (operation === undefined) return [];
      const label = `${answer.method} ${answer.path} ${String(answer.status)}`;
      const response = operation.responses[String(answer.status)] ?? operation.responses['default'];
      if (response === undefined) return [`${label}: the status is not described`];
      const content = response['content'] as Readonly<Record<string, { schema?: JsonSchema }>> | undefined;
      const schema = content?.['application/json']?.schema;
      if (schema === undefined) return [];
      if (answer.contentType?.split(';')[0]?.trim() !== 'application/json') {
        return [`${label}: the answer is ${answer.contentType ?? 'without a type'}, not JSON`];
      }
      let validate = compiled.get(schema);
      if (validate === undefined) {
        validate = ajv.compile(relink(schema));
        compiled.set(schema, validate);
      }
      if (validate(answer.body)) return [];
      return (validate.errors ?? []).map(
        (error) => `${label}: body${error.instancePath} ${error.message ?? 'is invalid'}`,
      );
    },
  };
}

const COMPONENTS_ID = 'https://airlock.invalid/openapi-components';

/** `#/components/schemas/X` (the document's references) -> the same schema in Ajv's copy of the components. */
function relink(schema: JsonSchema): JsonSchema {
  const text = JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${COMPONENTS_ID}#/$defs/`);
  return JSON.parse(text) as JsonSchema;
}

function segmentsOf(path: string): string[] {
  return path === '/' ? [] : path.split('/').slice(1);
}

function matches(expected: readonly (string | undefined)[], actual: readonly string[]): boolean {
  return (
    expected.length === actual.length &&
    expected.every((segment, index) => {
      const value = actual[index];
      return value !== undefined && value !== '' && (segment === undefined || segment === value);
    })
  );
}
