// Validates a JSON body with a strict zod schema, and turns a failure into a 400 that names at most one of our
// own fields, never the input. parseInput answers one fixed message instead; this one helps a client fix its
// body, and gives setting a field the API does not offer its own code.
import type { z } from 'zod';

import { badRequest, errorCodes } from './errors.js';
import type { AppError } from './errors.js';

/** The parsed body, or throws 400 `unknown_field` (a field we do not accept) or `invalid_request`. */
export function parseBody<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw toBadRequest(result.error);
}

function toBadRequest(error: z.ZodError): AppError {
  // An unknown field wins over other problems: setting fields the API does not offer (price, owner, status)
  // is the property-level attack the strict schemas exist to refuse, and the code says so.
  if (error.issues.some((candidate) => candidate.code === 'unrecognized_keys')) {
    // The unknown names come from the client: say that there are some, not what they are.
    return badRequest('unknown_field', 'The request body has fields that are not accepted.');
  }
  const [issue] = error.issues;
  const field = issue?.path.filter((part) => typeof part === 'string' || typeof part === 'number').join('.');
  return badRequest(
    errorCodes.invalidRequest,
    field === undefined || field === '' ? 'The request body is invalid.' : `The field "${field}" is invalid.`,
  );
}
