// Reads the orders service's environment once, at start-up.
import { z } from 'zod';
import {
  booleanFlagSchema,
  DEFAULT_HOST,
  hostSchema,
  loadConfigOrExit,
  logLevelSchema,
  parseConfig,
  portSchema,
  urlSchema,
} from '../../src/index.js';

export const DEFAULT_PORT = 4100;

export const configSchema = z.object({
  PORT: portSchema.default(DEFAULT_PORT),
  HOST: hostSchema.default(DEFAULT_HOST),
  LOG_LEVEL: logLevelSchema,
  AUTH_URL: urlSchema,
  // Dangerous switches are off unless set to exactly 'true' or '1'.
  EXPOSE_DEBUG_ROUTES: booleanFlagSchema,
});

export type Config = z.output<typeof configSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfigOrExit((variables) => parseConfig(configSchema, variables), env);
}
