// parseServiceConfig: the variables the topology decides, with defaults derived from it, plus a service's own.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';

import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { airlockTopology, localOriginOf, serviceNamed } from '@airlock/topology';

import { ConfigError, integerSchema } from '../src/config.js';
import { DEFAULT_DATA_DIR, jwksUrlOf, parseServiceConfig, upstreamOf } from '../src/service-config.js';
import type { ServiceBaseConfig } from '../src/service-config.js';

const baseOf = (service: string, env: Record<string, string> = {}): ServiceBaseConfig =>
  parseServiceConfig({ service, variables: {}, build: (base) => base }, env);

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseServiceConfig: defaults from the topology', () => {
  it.each(airlockTopology.services.map((service) => service.name))(
    '%s listens on loopback at its topology port',
    (name) => {
      const config = baseOf(name);
      expect(config).toMatchObject({
        service: name,
        host: '127.0.0.1',
        port: serviceNamed(airlockTopology, name).port,
        issuer: 'http://127.0.0.1:8080/auth',
        dataDir: DEFAULT_DATA_DIR,
        logLevel: 'info',
      });
      expect(config.publicOrigin.href).toBe('http://127.0.0.1:8080/');
    },
  );

  it('gives each service exactly the upstreams it calls in the topology, at their local origins', () => {
    for (const service of airlockTopology.services) {
      const callees = new Set(
        airlockTopology.calls.filter((call) => call.from === service.name).map((call) => call.to),
      );
      const upstreams = baseOf(service.name).upstreams;
      expect(Object.keys(upstreams).sort()).toEqual([...callees].sort());
      for (const callee of callees) {
        expect(upstreams[callee]?.origin).toBe(localOriginOf(serviceNamed(airlockTopology, callee)));
      }
    }
  });

  it('fetches signing keys where the topology sends the service: auth directly, the sandbox through the gateway', () => {
    expect(jwksUrlOf(baseOf('orders')).href).toBe('http://127.0.0.1:8081/auth/jwks');
    expect(jwksUrlOf(baseOf('image-processor')).href).toBe('http://127.0.0.1:8080/auth/jwks');
    expect(baseOf('auth').jwksUrl).toBeUndefined();
    expect(() => jwksUrlOf(baseOf('auth'))).toThrow('no JWKS call');
  });

  it('names a callee the topology does not give the service as a programming error', () => {
    expect(upstreamOf(baseOf('orders'), 'payments').href).toBe('http://127.0.0.1:8083/');
    expect(() => upstreamOf(baseOf('image-processor'), 'payments')).toThrow('does not call payments');
  });
});

describe('parseServiceConfig: the environment', () => {
  it('reads the service’s own variable names and resolves folders', () => {
    const config = baseOf('payments', {
      AIRLOCK_PAYMENTS_HOST: '0.0.0.0',
      AIRLOCK_PAYMENTS_PORT: '9000',
      AIRLOCK_AUTH_ISSUER: 'http://gateway:8080/auth',
      AIRLOCK_JWKS_URL: 'http://auth:8081/auth/jwks',
      AIRLOCK_AUTH_URL: 'http://auth:8081',
      AIRLOCK_DATA_DIR: 'tmp-data',
      AIRLOCK_WORKLOAD_KEYS_DIR: 'keys',
      LOG_LEVEL: 'warn',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 9000,
      issuer: 'http://gateway:8080/auth',
      dataDir: resolve('tmp-data'),
      workloadKeysDir: resolve('keys'),
      logLevel: 'warn',
    });
    expect(config.upstreams['auth']?.href).toBe('http://auth:8081/');
  });

  it('reports every bad variable at once, naming each and never its value', () => {
    // A credential in a URL would end up in logs: refused, and never echoed. Made per run, like every test secret.
    const canary = randomBytes(9).toString('base64url');
    const error = configErrorOf(() =>
      baseOf('orders', {
        AIRLOCK_ORDERS_PORT: '70000',
        AIRLOCK_PAYMENTS_URL: `http://user:${canary}@127.0.0.1:8083`,
        AIRLOCK_AUTH_URL: 'http://127.0.0.1:8081/with/a/path',
        AIRLOCK_AUTH_ISSUER: 'http://127.0.0.1:8080/not-auth',
        LOG_LEVEL: 'loud',
      }),
    );
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual([
      'AIRLOCK_AUTH_ISSUER',
      'AIRLOCK_AUTH_URL',
      'AIRLOCK_ORDERS_PORT',
      'AIRLOCK_PAYMENTS_URL',
      'LOG_LEVEL',
    ]);
    expect(error.message).not.toContain(canary);
  });

  it('selects PostgreSQL by AIRLOCK_DATABASE_URL, and SQLite without it', () => {
    expect(baseOf('orders').databaseUrl).toBeUndefined();
    const url = 'postgres://orders:secret@127.0.0.1:5432/orders';
    expect(baseOf('orders', { AIRLOCK_DATABASE_URL: url }).databaseUrl?.href).toBe(url);
  });

  it('listens alone on its port unless AIRLOCK_REUSE_PORT turns on sharing it with replicas', () => {
    expect(baseOf('orders').reusePort).toBe(false);
    expect(baseOf('orders', { AIRLOCK_REUSE_PORT: 'true' }).reusePort).toBe(true);
    const error = configErrorOf(() => baseOf('orders', { AIRLOCK_REUSE_PORT: 'yes' }));
    expect(error.issues.map((issue) => issue.variable)).toEqual(['AIRLOCK_REUSE_PORT']);
  });

  it.each(['http://127.0.0.1/orders', 'postgres://127.0.0.1', 'not a url'])(
    'refuses a database URL that is not postgres:// with a host and a database, never echoing it: %s',
    (value) => {
      const error = configErrorOf(() => baseOf('orders', { AIRLOCK_DATABASE_URL: value }));
      expect(error.issues.map((issue) => issue.variable)).toEqual(['AIRLOCK_DATABASE_URL']);
      expect(error.message).not.toContain(value);
    },
  );

  it('refuses an issuer that is not a URL without throwing anything but a ConfigError', () => {
    const error = configErrorOf(() => baseOf('orders', { AIRLOCK_AUTH_ISSUER: 'not a url' }));
    expect(error.issues.map((issue) => issue.variable)).toEqual(['AIRLOCK_AUTH_ISSUER']);
  });

  it('refuses an unknown service name at once', () => {
    expect(() => baseOf('no-such-service')).toThrow('unknown service');
  });
});

describe('parseServiceConfig: a service’s own variables', () => {
  const definition = {
    service: 'orders',
    variables: { AIRLOCK_ORDERS_PAGE_SIZE: integerSchema(1, 100).default(20) },
    refine: (
      values: { AIRLOCK_ORDERS_PAGE_SIZE: number },
      base: ServiceBaseConfig,
      report: (variable: string, reason: string) => void,
    ) => {
      if (values.AIRLOCK_ORDERS_PAGE_SIZE > 50 && base.host !== '127.0.0.1') {
        report('AIRLOCK_ORDERS_PAGE_SIZE', 'must be at most 50 off loopback');
      }
    },
    build: (base: ServiceBaseConfig, values: { AIRLOCK_ORDERS_PAGE_SIZE: number }) => ({
      port: base.port,
      pageSize: values.AIRLOCK_ORDERS_PAGE_SIZE,
    }),
  };

  it('parses them with the base and builds the service’s config', () => {
    expect(parseServiceConfig(definition, {})).toEqual({ port: 8082, pageSize: 20 });
    expect(parseServiceConfig(definition, { AIRLOCK_ORDERS_PAGE_SIZE: '7' })).toEqual({
      port: 8082,
      pageSize: 7,
    });
  });

  it('reports their errors together with the base’s', () => {
    const error = configErrorOf(() =>
      parseServiceConfig(definition, { AIRLOCK_ORDERS_PAGE_SIZE: '0', AIRLOCK_ORDERS_PORT: 'x' }),
    );
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual([
      'AIRLOCK_ORDERS_PAGE_SIZE',
      'AIRLOCK_ORDERS_PORT',
    ]);
  });

  it('runs cross-variable rules after both parsed', () => {
    const error = configErrorOf(() =>
      parseServiceConfig(definition, { AIRLOCK_ORDERS_PAGE_SIZE: '60', AIRLOCK_ORDERS_HOST: '0.0.0.0' }),
    );
    expect(error.issues).toEqual([
      { variable: 'AIRLOCK_ORDERS_PAGE_SIZE', reason: 'must be at most 50 off loopback' },
    ]);
  });

  it('accepts any zod schema for them', () => {
    const config = parseServiceConfig(
      { service: 'payments', variables: { MODE: z.enum(['a', 'b']).default('a') }, build: (_b, v) => v },
      {},
    );
    expect(config).toEqual({ MODE: 'a' });
  });
});
