// A service logger that writes into memory, so tests can read every line and assert what never appears.
import { createLogger } from '../../src/logger.js';
import type { Logger, LogLevel } from '../../src/logger.js';

export interface MemoryLogger {
  readonly logger: Logger;
  /** Raw lines as written (what an attacker with log access would read). */
  readonly lines: string[];
  /** Every line parsed; also proves each line is valid JSON. */
  readonly records: () => Record<string, unknown>[];
  /** Everything written, as one string, for "never appears" assertions. */
  readonly text: () => string;
}

export function memoryLogger(level: LogLevel = 'trace'): MemoryLogger {
  const lines: string[] = [];
  const logger = createLogger({
    service: 'test-service',
    level,
    destination: {
      write(line: string) {
        lines.push(line);
      },
    },
  });
  return {
    logger,
    lines,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => lines.join(''),
  };
}
