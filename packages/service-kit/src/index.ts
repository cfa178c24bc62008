// The public API of @airlock/service-kit: what every Airlock service shares. Nothing else is exported.
// Config, logging, error bodies and the server's start come from ./core.js (the gateway imports only those).
export * from './core.js';
export { auditDecision } from './audit.js';
export type { AuditDecision, AuditOutcome } from './audit.js';
export { createServiceApp, finishApp } from './create-service-app.js';
export type { FinishAppOptions, ServiceAppOptions } from './create-service-app.js';
export { errorHandler, methodNotAllowedHandler, notFoundHandler } from './error-handler.js';
export type { ErrorHandlerOptions } from './error-handler.js';
export {
  AppError,
  badRequest,
  conflict,
  forbidden,
  invalidJson,
  methodNotAllowed,
  notFound,
  payloadTooLarge,
  serviceUnavailable,
  tooManyRequests,
  unauthorized,
  unsupportedMediaType,
} from './errors.js';
export type { AppErrorOptions } from './errors.js';
export { DEFAULT_READINESS_TIMEOUT_MS, healthRoutes } from './health.js';
export { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, idempotencyKeyOf } from './idempotency-key.js';
export type { HealthRoutesOptions, ReadinessCheck } from './health.js';
export { DEFAULT_JSON_MAX_DEPTH, jsonBody } from './json-body.js';
export type { JsonBodyOptions } from './json-body.js';
export { REQUEST_ID_HEADER, requestId } from './request-id.js';
export type { RequestIdOptions } from './request-id.js';
export { parseBody } from './parse-body.js';
export { parseInput } from './parse-input.js';
export { createRouter } from './router.js';
export { SECURITY_HEADERS, securityHeaders } from './security-headers.js';
