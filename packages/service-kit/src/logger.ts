// The service logger: pino, JSON lines, `{ service }` on every line, and credentials scrubbed before a line
// is written (see redact.ts for what and how).
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

import { scrubLine, scrubRecord, serializeError } from './redact.js';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  /** Name of the service, on every line as `service`. */
  readonly service: string;
  /** Minimum level; default 'info'. */
  readonly level?: LogLevel;
  /** Where lines go; default stdout. Tests pass an in-memory stream. */
  readonly destination?: DestinationStream;
}

const SERVICE_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

export function createLogger(options: LoggerOptions): Logger {
  if (!SERVICE_PATTERN.test(options.service)) {
    throw new TypeError('createLogger: option "service" must be a lower-case name ([a-z][a-z0-9-]*)');
  }
  const level = options.level ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new TypeError(`createLogger: option "level" must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const config = {
    level,
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label: string) => ({ level: label }),
      bindings: (bindings: Record<string, unknown>) => scrubRecord(bindings),
      log: (record: Record<string, unknown>) => scrubRecord(record),
    },
    // Replaces pino's default `err` serializer, which copies every enumerable property of an error (library
    // errors keep request options, headers and bodies there).
    serializers: { err: serializeError },
    hooks: { streamWrite: scrubLine },
  };
  return options.destination === undefined ? pino(config) : pino(config, options.destination);
}
