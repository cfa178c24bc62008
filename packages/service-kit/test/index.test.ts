import { describe, expect, it } from '@jest/globals';

import * as serviceKit from '../src/index.js';

describe('@airlock/service-kit entry point', () => {
  it('exports exactly the public API', () => {
    expect(Object.keys(serviceKit).sort()).toEqual(
      [
        'AppError',
        'ConfigError',
        'DEFAULT_HEADERS_TIMEOUT_MS',
        'DEFAULT_HOST',
        'DEFAULT_JSON_MAX_DEPTH',
        'DEFAULT_KEEP_ALIVE_TIMEOUT_MS',
        'DEFAULT_MAX_HEADER_SIZE',
        'DEFAULT_READINESS_TIMEOUT_MS',
        'DEFAULT_REQUEST_TIMEOUT_MS',
        'DEFAULT_SHUTDOWN_TIMEOUT_MS',
        'LOG_LEVELS',
        'REQUEST_ID_HEADER',
        'SECURITY_HEADERS',
        'SHUTDOWN_HOOK_GRACE_MS',
        'ServerStartError',
        'auditDecision',
        'badRequest',
        'booleanFlagSchema',
        'conflict',
        'createLogger',
        'createRouter',
        'createServiceApp',
        'errorBody',
        'errorCodes',
        'errorHandler',
        'finishApp',
        'forbidden',
        'healthRoutes',
        'invalidJson',
        'jsonBody',
        'loadConfigOrExit',
        'logLevelSchema',
        'methodNotAllowed',
        'methodNotAllowedHandler',
        'notFound',
        'notFoundHandler',
        'parseConfig',
        'payloadTooLarge',
        'portSchema',
        'requestId',
        'securityHeaders',
        'serviceUnavailable',
        'startServer',
        'tooManyRequests',
        'unauthorized',
        'unsupportedMediaType',
        'urlSchema',
      ].sort(),
    );
  });
});
