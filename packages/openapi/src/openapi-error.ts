// The one error class of @airlock/openapi: a route without a description, a description without a route, or
// two schemas that claim one name.
export type OpenApiErrorCode =
  'route_undescribed' | 'contract_without_route' | 'schema_name_conflict' | 'unsupported_schema';

export class OpenApiError extends Error {
  override readonly name = 'OpenApiError';
  readonly code: OpenApiErrorCode;

  constructor(code: OpenApiErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
