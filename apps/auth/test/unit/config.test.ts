// Auth's configuration: defaults, and the refusals that keep a weak setup out of production.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_ISSUER, parseAuthConfig } from '../../src/config.js';

describe('parseAuthConfig', () => {
  it('defaults to the gateway issuer, the topology port and loopback', () => {
    const config = parseAuthConfig({});
    expect(config).toMatchObject({
      issuer: DEFAULT_ISSUER,
      port: 8081,
      host: '127.0.0.1',
      production: false,
    });
    expect(config.accessTokenTtlSeconds).toBe(900);
    expect(config.authDir.endsWith('/.data/auth')).toBe(true);
  });

  it.each([
    [{ NODE_ENV: 'production' }, 'AIRLOCK_USERS_FILE'],
    [{ AIRLOCK_ENV: 'production' }, 'AIRLOCK_USERS_FILE'],
    [
      {
        AIRLOCK_ENV: 'production',
        AIRLOCK_USERS_FILE: '/etc/users.json',
        AIRLOCK_DEMO_PASSWORD: randomBytes(12).toString('base64url'),
      },
      'AIRLOCK_DEMO_PASSWORD',
    ],
    [{ AIRLOCK_AUTH_ISSUER: 'http://127.0.0.1:8080/' }, 'AIRLOCK_AUTH_ISSUER'],
    [{ AIRLOCK_AUTH_ISSUER: 'http://127.0.0.1:8080/auth?x=1' }, 'AIRLOCK_AUTH_ISSUER'],
    [{ AIRLOCK_AUTH_ACCESS_TOKEN_TTL_SECONDS: '86400' }, 'AIRLOCK_AUTH_ACCESS_TOKEN_TTL_SECONDS'],
    [{ AIRLOCK_DEMO_PASSWORD: 'short' }, 'AIRLOCK_DEMO_PASSWORD'],
    [{ AIRLOCK_AUTH_WEB_REDIRECT_URIS: 'javascript:alert(1)' }, 'AIRLOCK_AUTH_WEB_REDIRECT_URIS'],
  ])('refuses %j', (env, variable) => {
    expect(() => parseAuthConfig(env)).toThrow(expect.objectContaining({ code: 'invalid_config' }));
    try {
      parseAuthConfig(env);
    } catch (error) {
      expect(JSON.stringify(error)).toContain(variable);
    }
  });

  it('runs in production with a users file', () => {
    expect(
      parseAuthConfig({ NODE_ENV: 'production', AIRLOCK_USERS_FILE: '/etc/airlock/users.json' }),
    ).toMatchObject({
      production: true,
      usersFile: '/etc/airlock/users.json',
    });
  });
});
