// Parses a service's environment once, at start-up, with a zod schema: a typed config, or one error that names
// every bad variable and why, never its value (values are often secrets).
import { z } from 'zod';

import { LOG_LEVELS } from './logger.js';

export interface ConfigIssue {
  /** The variable's name, e.g. `PORT`; `(config)` for a rule that spans several variables. */
  readonly variable: string;
  readonly reason: string;
}

/** Start-up only, never an HTTP error, so it is not an AppError. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'invalid_config';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(
      ['Invalid configuration:', ...issues.map((issue) => `  ${issue.variable}: ${issue.reason}`)].join('\n'),
    );
    this.issues = issues;
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/** The parsed config, or throws ConfigError listing every bad variable. */
export function parseConfig<Schema extends z.ZodType>(
  schema: Schema,
  env: Env = process.env,
): z.output<Schema> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => toConfigIssue(issue, env)));
}

/**
 * For a service's src/index.ts: the config its parser builds from the environment, or every bad variable on
 * stderr and exit code 1. Every service starts through this one helper.
 */
export function loadConfigOrExit<Config>(parse: (env: Env) => Config, env: Env = process.env): Config {
  try {
    return parse(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

/** A zod issue as a ConfigIssue that names the variable and never quotes its value. */
export function toConfigIssue(issue: z.core.$ZodIssue, env: Env): ConfigIssue {
  const [first] = issue.path;
  const variable = issue.path.length === 0 ? '(config)' : issue.path.map(String).join('.');
  // zod's own messages name types and limits, never the input; a schema's custom message might not, so a reason
  // that contains the variable's value is replaced by one that cannot.
  const value = typeof first === 'string' ? env[first] : undefined;
  if (value === undefined && issue.path.length === 1 && issue.code === 'invalid_type') {
    return { variable, reason: 'is required' };
  }
  const leaks = value !== undefined && value.length > 0 && issue.message.includes(value);
  return { variable, reason: leaks ? `invalid value (${issue.code})` : issue.message };
}

// --- schemas for common variables ----------------------------------------------------------------------------

/** A TCP port, 1..65535, as a number. Add `.default(8080)` for a default. */
export const portSchema = z
  .string()
  .regex(/^[0-9]{1,5}$/, 'must be a port number (1-65535)')
  .transform(Number)
  .pipe(
    z.number().int().min(1, 'must be a port number (1-65535)').max(65535, 'must be a port number (1-65535)'),
  );

/**
 * An on/off switch: exactly 'true', 'false', '1' or '0'; unset is false, so a dangerous option stays off unless
 * someone turns it on. Anything else ('yes', 'TRUE', '') is an error rather than a guess.
 */
export const booleanFlagSchema = z
  .enum(['true', 'false', '1', '0'], { error: "must be 'true', 'false', '1' or '0'" })
  .optional()
  .transform((value) => value === 'true' || value === '1');

/**
 * A listening address: a host name or an IP literal (`127.0.0.1`, `0.0.0.0`, `::1`), nothing that could smuggle a
 * scheme, a path or credentials. Add `.default(DEFAULT_HOST)` for loopback by default.
 */
export const hostSchema = z.string().regex(/^[A-Za-z0-9.:-]{1,253}$/, 'must be a host name or IP address');

/** An absolute http(s) URL without credentials (a password in a URL ends up in logs), as a string. */
export const urlSchema = z.string().refine(isHttpUrlWithoutCredentials, {
  error: 'must be an absolute http:// or https:// URL without user or password',
});

/** A whole number (seconds, bytes, a count) within [min, max]; no signs, decimals or exponents. */
export function integerSchema(min: number, max: number) {
  return z
    .string()
    .regex(/^[0-9]{1,10}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}

/** A comma-separated list: items trimmed, empty ones dropped, each checked by `item`. */
export function commaListSchema<Item extends z.ZodType<unknown, string>>(item: Item) {
  return z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry.length > 0),
    )
    .pipe(z.array(item));
}

/** LOG_LEVEL: one of pino's levels; default 'info'. */
export const logLevelSchema = z
  .enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })
  .default('info');

function isHttpUrlWithoutCredentials(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === ''
  );
}
