// The part of @airlock/service-kit that does not load express: config, logging, error bodies and the server's
// start and shutdown. The gateway is built on node:http and imports only this, so it does not carry express's
// modules in its heap (about 2 MB of V8 heap and 8 MB of resident memory at start, measured).
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
export { errorBody, errorCodes } from './errors.js';
export {
  DEFAULT_QUARANTINE_MS,
  DEFAULT_REFRESH_MS,
  DEFAULT_RESOLVE_TIMEOUT_MS,
  ReplicaPool,
  ServiceDispatcherError,
  createFetchDispatcher,
  createServiceDispatcher,
} from './service-dispatcher.js';
export type {
  AddressResolver,
  FetchDispatcher,
  ServiceDispatcherErrorCode,
  ServiceDispatcherOptions,
} from './service-dispatcher.js';
export type { ErrorBody } from './errors.js';
export { LOG_LEVELS, createLogger } from './logger.js';
export type { LogLevel, Logger, LoggerOptions } from './logger.js';
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
