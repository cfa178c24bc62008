// Reading what a client sent, strictly: path ids, query strings and empty bodies. Anything unexpected is a
// 400 (or, for ids, the same 404 as a missing order), never silently ignored.
import { z } from 'zod';
import type { Request } from 'express';
import { badRequest, notFound } from '@airlock/service-kit';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The `:id` path parameter as an order id; anything that is not one is the same 404 as an unknown order. */
export function orderIdOf(req: Request): string {
  const id = req.params['id'];
  if (typeof id !== 'string' || !UUID.test(id)) throw notFound();
  return id;
}

/**
 * The parsed query string. Unknown parameters are 400 `unknown_query_parameter`, so a filter such as
 * `?owner=bob` or `?userId=bob` is refused rather than ignored: no parameter can widen what a user sees.
 */
export function parseQuery<Schema extends z.ZodType>(schema: Schema, req: Request): z.output<Schema> {
  const result = schema.safeParse(req.query);
  if (result.success) return result.data;
  if (result.error.issues.some((issue) => issue.code === 'unrecognized_keys')) {
    throw badRequest('unknown_query_parameter', 'The query string has parameters that are not accepted.');
  }
  throw badRequest('invalid_query', 'The query string is invalid.');
}

/** For routes that take no body: none, or `{}`. Anything else (an `amount`, a `status`) is refused. */
export function requireEmptyBody(req: Request): void {
  const body: unknown = req.body;
  if (body === undefined) return;
  if (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0)
    return;
  throw badRequest('unknown_field', 'This request takes no body fields.');
}

/** The raw bearer token of an accepted request, to exchange it; requireToken has already validated its form. */
export function bearerTokenOf(req: Request): string {
  const match = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(req.get('authorization') ?? '');
  const token = match?.[1];
  if (token === undefined) throw new Error('route reached without a bearer token');
  return token;
}

export const limitSchema = z
  .string()
  .regex(/^[0-9]{1,3}$/)
  .transform(Number)
  .pipe(z.number().int().min(1).max(100));
