// What a route promises on the wire, next to the zod schemas it validates with: the input it accepts and each
// status it can answer with. @airlock/openapi turns these into the public API's OpenAPI document.
import { z } from 'zod';
import type { HttpMethod } from '@airlock/topology';

/** The error envelope every service and the gateway answer with (errors.ts `errorBody`), as a schema. */
export const errorBodySchema = z
  .strictObject({
    error: z.strictObject({
      code: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
      message: z.string(),
      requestId: z.string().optional(),
    }),
  })
  .meta({ id: 'ErrorBody', description: 'The error envelope of every service and of the gateway.' });

export interface ContractBody {
  /** The media types accepted, e.g. `application/json` or the image types. */
  readonly contentTypes: readonly string[];
  /** The JSON schema of the body; absent for binary bodies. */
  readonly schema?: z.ZodType;
  readonly required: boolean;
}

export interface ContractResponse {
  readonly description: string;
  /** The JSON body's schema; absent for a body-less answer (204, a redirect) or a non-JSON one. */
  readonly schema?: z.ZodType;
  /** The media type of a non-JSON body (`text/html`, `application/octet-stream`). */
  readonly contentType?: string;
}

export interface RouteContract {
  readonly method: HttpMethod;
  /** The path as the service declares it in the topology, e.g. `/orders/:id`. */
  readonly path: string;
  readonly summary: string;
  readonly query?: z.ZodType;
  /** Request headers the route reads, by name, with a description. */
  readonly headers?: Readonly<Record<string, { readonly description: string; readonly required: boolean }>>;
  readonly body?: ContractBody;
  /** Successful answers by status. */
  readonly responses: Readonly<Record<number, ContractResponse>>;
  /** The error statuses the service itself answers with, each with the error envelope; and what they mean. */
  readonly errors: Readonly<Record<number, string>>;
}

/** A service's contracts, under its name as the topology spells it. */
export interface ServiceContracts {
  readonly service: string;
  readonly routes: readonly RouteContract[];
}
