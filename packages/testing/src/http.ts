// Typed reads of supertest response bodies (typed `any` by supertest), so tests stay lint-clean.

export interface HasBody {
  readonly body: unknown;
}

/** The `error.code` of the error envelope, or undefined when the body is not one. */
export function errorCode(response: HasBody): unknown {
  const { body } = response;
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const { error } = body;
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

/** One top-level field of a JSON object body. */
export function field(response: HasBody, name: string): unknown {
  const { body } = response;
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}
