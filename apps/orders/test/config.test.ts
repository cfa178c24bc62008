// Orders' configuration: documented defaults, the storage engine it selects, and refusal of bad values
// without echoing them.
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

import { describe, expect, it } from '@jest/globals';
import { ConfigError, DEFAULT_DATA_DIR } from '@airlock/service-kit';
import { DATABASE_ENGINES } from '@airlock/testing/database-engines';

import { parseOrdersConfig } from '../src/config.js';

/** Made up per run: the refused URLs carry it so the test can show it is never echoed. */
const PASSWORD = randomBytes(12).toString('hex');

describe('orders configuration', () => {
  it('defaults to loopback, the topology port and the local stack URLs', () => {
    const config = parseOrdersConfig({});
    expect(config).toMatchObject({
      port: 8082,
      host: '127.0.0.1',
      issuer: 'http://127.0.0.1:8080/auth',
      jwksUrl: new URL('http://127.0.0.1:8081/auth/jwks'),
      authUrl: new URL('http://127.0.0.1:8081'),
      paymentsUrl: new URL('http://127.0.0.1:8083'),
      dataDir: DEFAULT_DATA_DIR,
      databaseFile: join(DEFAULT_DATA_DIR, 'orders', 'orders.db'),
    });
    expect(DEFAULT_DATA_DIR).toBe(resolve(import.meta.dirname, '../../../.data'));
  });

  it('publishes the workload public key in the data folder unless a separate folder is given', () => {
    expect(parseOrdersConfig({}).workloadKeysDir).toBeUndefined();
    const config = parseOrdersConfig({ AIRLOCK_WORKLOAD_KEYS_DIR: 'keys' });
    expect(config.workloadKeysDir).toBe(resolve('keys'));
  });

  it('resolves a relative data folder against the working directory', () => {
    const config = parseOrdersConfig({ AIRLOCK_DATA_DIR: 'tmp-data' });
    expect(config.databaseFile).toBe(resolve('tmp-data', 'orders', 'orders.db'));
  });

  it.each(DATABASE_ENGINES)(
    'selects %s: PostgreSQL by AIRLOCK_DATABASE_URL, else the SQLite file',
    (engine) => {
      // A made-up address: parsing connects to nothing, and the repository holds no password, not even a test one.
      const url = 'postgres://orders@127.0.0.1:5432/airlock_orders';
      const config = parseOrdersConfig(engine === 'postgres' ? { AIRLOCK_DATABASE_URL: url } : {});
      expect(config.databaseUrl).toEqual(engine === 'postgres' ? new URL(url) : undefined);
      expect(config.databaseFile).toBe(join(DEFAULT_DATA_DIR, 'orders', 'orders.db'));
    },
  );

  it.each([
    ['AIRLOCK_ORDERS_PORT', '70000'],
    ['AIRLOCK_ORDERS_HOST', 'http://evil/'],
    ['AIRLOCK_PAYMENTS_URL', `http://user:${PASSWORD}@127.0.0.1:8083`],
    ['AIRLOCK_AUTH_URL', 'file:///etc/passwd'],
    ['AIRLOCK_JWKS_URL', 'not a url'],
    ['AIRLOCK_DATABASE_URL', `mysql://user:${PASSWORD}@127.0.0.1:3306/orders`],
    ['AIRLOCK_DATABASE_URL', `postgres://user:${PASSWORD}@127.0.0.1:5432/`],
  ])('refuses %s=%s, naming the variable but not the value', (name, value) => {
    const failure = (() => {
      try {
        parseOrdersConfig({ [name]: value });
        return undefined;
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).message).toContain(name);
    expect((failure as ConfigError).message).not.toContain(PASSWORD);
  });
});
