// The public API of @airlock/service-kit: what every Airlock service shares. Nothing else is exported.
export { auditDecision } from './audit.js';
export type { AuditDecision, AuditOutcome } from './audit.js';
export {
  ConfigError,
  booleanFlagSchema,
  commaListSchema,
  hostSchema,
  integerSchema,
  loadConfigOrExit,
  logLevelSchema,
  parseConfig,
  portSchema,
  urlSchema,
} from './config.js';
export type { ConfigIssue, Env } from './config.js';
export { DEFAULT_DATA_DIR, jwksUrlOf, parseServiceConfig, upstreamOf } from './service-config.js';
export type { ServiceBaseConfig, ServiceConfigDefinition } from './service-config.js';
export { createServiceApp, finishApp } from './create-service-app.js';
export type { FinishAppOptions, ServiceAppOptions } from './create-service-app.js';
export { errorHandler, methodNotAllowedHandler, notFoundHandler } from './error-handler.js';
export type { ErrorHandlerOptions } from './error-handler.js';
export {
  AppError,
  badRequest,
  conflict,
  errorBody,
  errorCodes,
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
export type { AppErrorOptions, ErrorBody } from './errors.js';
export { DEFAULT_READINESS_TIMEOUT_MS, healthRoutes } from './health.js';
export { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, idempotencyKeyOf } from './idempotency-key.js';
export type { HealthRoutesOptions, ReadinessCheck } from './health.js';
export { DEFAULT_JSON_MAX_DEPTH, jsonBody } from './json-body.js';
export type { JsonBodyOptions } from './json-body.js';
export { LOG_LEVELS, createLogger } from './logger.js';
export type { LogLevel, Logger, LoggerOptions } from './logger.js';
export { REQUEST_ID_HEADER, requestId } from './request-id.js';
export type { RequestIdOptions } from './request-id.js';
export { parseBody } from './parse-body.js';
export { parseInput } from './parse-input.js';
export { createRouter } from './router.js';
export { SECURITY_HEADERS, securityHeaders } from './security-headers.js';
export {
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_HOST,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_MAX_HEADER_SIZE,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  SHUTDOWN_HOOK_GRACE_MS,
  ServerStartError,
  startServer,
} from './start-server.js';
export type { RunningServer, ServerStartErrorCode, StartServerOptions } from './start-server.js';
