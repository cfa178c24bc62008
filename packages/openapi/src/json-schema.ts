// A zod schema as JSON Schema 2020-12 (the dialect of OpenAPI 3.1), with zod's own converter. Schemas named
// with `.meta({ id })` become shared components, referenced by `#/components/schemas/<id>`.
import { z } from 'zod';

import { OpenApiError } from './openapi-error.js';

export type JsonSchema = { readonly [key: string]: unknown };

const COMPONENT_PREFIX = '#/components/schemas/';

/** The shared component schemas collected while converting, by name. */
export class SchemaComponents {
  readonly #byName = new Map<string, JsonSchema>();

  /** `schema` as JSON Schema; `io` picks the side of a transform (requests are read as sent). */
  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const converted = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'throw' });
    // The dialect is the document's (jsonSchemaDialect); named schemas move to the components.
    const { $defs, ...rest } = converted;
    delete rest.$schema;
    for (const [name, definition] of Object.entries($defs ?? {})) this.#add(name, relink(definition));
    return relink(rest);
  }

  get all(): Readonly<Record<string, JsonSchema>> {
    return Object.fromEntries([...this.#byName.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  #add(name: string, schema: JsonSchema): void {
    const known = this.#byName.get(name);
    if (known !== undefined && JSON.stringify(known) !== JSON.stringify(schema)) {
      throw new OpenApiError('schema_name_conflict', `two different schemas are named ${name}`);
    }
    this.#byName.set(name, schema);
  }
}

/** zod refers to named schemas as `#/$defs/<id>`; in the document they live under components. */
function relink(schema: unknown): JsonSchema {
  const text = JSON.stringify(schema).replaceAll('"#/$defs/', `"${COMPONENT_PREFIX}`);
  return JSON.parse(text) as JsonSchema;
}
