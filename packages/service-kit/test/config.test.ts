import { describe, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

import {
  ConfigError,
  booleanFlagSchema,
  commaListSchema,
  integerSchema,
  hostSchema,
  loadConfigOrExit,
  logLevelSchema,
  parseConfig,
  portSchema,
  urlSchema,
} from '../src/config.js';

const schema = z.object({
  PORT: portSchema.default(8080),
  AUTH_URL: urlSchema,
  ALLOW_INSECURE_DEV_KEYS: booleanFlagSchema,
  LOG_LEVEL: logLevelSchema,
  CLIENT_SECRET: z.string().min(32),
});

/** A canary made per run: long enough for the schema, and it must never be echoed. */
const SECRET = `canary-${randomBytes(24).toString('base64url')}`;

function issuesOf(run: () => unknown): readonly { variable: string; reason: string }[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('returns the typed config with defaults', () => {
    const config = parseConfig(schema, {
      AUTH_URL: 'http://auth:4000',
      CLIENT_SECRET: SECRET,
      UNRELATED: 'x',
    });
    expect(config).toEqual({
      PORT: 8080,
      AUTH_URL: 'http://auth:4000',
      ALLOW_INSECURE_DEV_KEYS: false,
      LOG_LEVEL: 'info',
      CLIENT_SECRET: SECRET,
    });
    expect(config).not.toHaveProperty('UNRELATED');
  });

  it('lists every bad variable with a reason', () => {
    const issues = issuesOf(() =>
      parseConfig(schema, {
        PORT: '99999',
        AUTH_URL: 'ftp://auth',
        ALLOW_INSECURE_DEV_KEYS: 'yes',
        LOG_LEVEL: 'loud',
      }),
    );
    expect(issues.map((issue) => issue.variable).sort()).toEqual([
      'ALLOW_INSECURE_DEV_KEYS',
      'AUTH_URL',
      'CLIENT_SECRET',
      'LOG_LEVEL',
      'PORT',
    ]);
    for (const issue of issues) expect(issue.reason.length).toBeGreaterThan(0);
    expect(issues).toContainEqual({ variable: 'CLIENT_SECRET', reason: 'is required' });
  });

  it('names variables in the message and never echoes their values', () => {
    const env = {
      PORT: 'port-hunter2',
      AUTH_URL: 'http://user:hunter2-in-url@auth',
      CLIENT_SECRET: 'hunter2-short',
    };
    let message = '';
    try {
      parseConfig(schema, env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).code).toBe('invalid_config');
      message = (error as ConfigError).message;
    }
    expect(message).toContain('PORT');
    expect(message).toContain('AUTH_URL');
    expect(message).toContain('CLIENT_SECRET');
    expect(message).not.toContain('hunter2');
  });

  it('replaces a custom reason that would echo the value', () => {
    const echoing = z.object({
      API_KEY: z.string().refine(() => false, { error: (issue) => `bad key ${String(issue.input)}` }),
    });
    const issues = issuesOf(() => parseConfig(echoing, { API_KEY: 'sk-hunter2' }));
    expect(issues).toEqual([{ variable: 'API_KEY', reason: 'invalid value (custom)' }]);
  });

  it('names cross-variable rules (config)', () => {
    const paired = z
      .object({ A: z.string().optional(), B: z.string().optional() })
      .refine((config) => (config.A === undefined) === (config.B === undefined), {
        error: 'A and B go together',
      });
    expect(issuesOf(() => parseConfig(paired, { A: 'x' }))).toEqual([
      { variable: '(config)', reason: 'A and B go together' },
    ]);
  });
});

describe('loadConfigOrExit', () => {
  it('returns the config when it is valid', () => {
    const schema = z.object({ PORT: portSchema });
    expect(loadConfigOrExit((env) => parseConfig(schema, env), { PORT: '3000' })).toEqual({ PORT: 3000 });
  });

  it('prints the error to stderr and exits with code 1', () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const exit = jest.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${String(code)}`);
    });
    try {
      const schema = z.object({ PORT: portSchema });
      expect(() => loadConfigOrExit((env) => parseConfig(schema, env), { PORT: 'nope' })).toThrow('exit 1');
      expect(stderr).toHaveBeenCalledWith(expect.stringContaining('PORT'));
      expect(stderr).not.toHaveBeenCalledWith(expect.stringContaining('nope'));
    } finally {
      stderr.mockRestore();
      exit.mockRestore();
    }
  });
});

describe('portSchema', () => {
  it.each([
    ['1', 1],
    ['8080', 8080],
    ['65535', 65535],
  ])('accepts %s', (input, expected) => {
    expect(portSchema.parse(input)).toBe(expected);
  });

  it.each(['0', '65536', '-1', '80.5', ' 80', '0x50', '', '123456'])('rejects %j', (input) => {
    expect(portSchema.safeParse(input).success).toBe(false);
  });
});

describe('booleanFlagSchema', () => {
  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
    [undefined, false],
  ])('reads %j as %s', (input, expected) => {
    expect(booleanFlagSchema.parse(input)).toBe(expected);
  });

  it.each(['TRUE', 'yes', 'on', '', ' true'])('rejects %j rather than guessing', (input) => {
    expect(booleanFlagSchema.safeParse(input).success).toBe(false);
  });
});

describe('hostSchema', () => {
  it.each(['127.0.0.1', '0.0.0.0', '::1', 'fe80::1', 'localhost', 'orders', 'payments.internal'])(
    'accepts %s',
    (input) => {
      expect(hostSchema.parse(input)).toBe(input);
    },
  );

  it.each(['', 'http://evil/', 'evil/path', 'user@host', 'host name', 'host\n', '[::1]', 'a'.repeat(254)])(
    'rejects %j',
    (input) => {
      expect(hostSchema.safeParse(input).success).toBe(false);
    },
  );

  it('says what it expects without quoting the value', () => {
    const result = hostSchema.safeParse('http://user:hunter2@evil/');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('must be a host name or IP address');
  });
});

describe('urlSchema', () => {
  it.each(['http://auth:4000', 'https://auth.example/path'])('accepts %s', (input) => {
    expect(urlSchema.parse(input)).toBe(input);
  });

  it.each([
    'ftp://auth',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'auth:4000',
    '/relative',
    'http://user:pw@auth',
    'http://user@auth',
  ])('rejects %s', (input) => {
    expect(urlSchema.safeParse(input).success).toBe(false);
  });
});

describe('integerSchema and commaListSchema', () => {
  it('accepts whole numbers within bounds and refuses the rest', () => {
    const schema = integerSchema(1, 300);
    expect(schema.parse('30')).toBe(30);
    for (const value of ['0', '301', '-1', '1.5', '1e2', ' 30', ''])
      expect(schema.safeParse(value).success).toBe(false);
  });

  it('splits, trims and checks every item', () => {
    const schema = commaListSchema(urlSchema);
    expect(schema.parse(' http://a.test , ,https://b.test')).toEqual(['http://a.test', 'https://b.test']);
    expect(schema.safeParse('http://a.test,file:///etc/passwd').success).toBe(false);
  });
});
