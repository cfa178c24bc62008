// Validates client input (a body, query or params) with a zod schema: the typed value, or 400 `invalid_request`.
// Explicit on purpose: the error handler does not map every ZodError to 400, since zod also checks what
// upstream services answer, and a bad upstream answer is our fault, not the client's.
import type { z } from 'zod';

import { badRequest, errorCodes } from './errors.js';

export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  // One fixed message: which field failed is the client's to find out from the API's documentation, and
  // zod's messages can quote the input.
  throw badRequest(errorCodes.invalidRequest, 'The request is invalid.');
}
