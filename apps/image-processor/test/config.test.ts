// The environment is read once and checked; defaults come from the topology and point at the gateway only.
import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@airlock/service-kit';

import { parseImageProcessorConfig } from '../src/config.js';

describe('image-processor config', () => {
  it('defaults to the topology port, loopback, and the gateway’s public JWKS', () => {
    const config = parseImageProcessorConfig({});
    expect(config).toMatchObject({
      port: 8084,
      host: '127.0.0.1',
      issuer: 'http://127.0.0.1:8080/auth',
      jwksUrl: new URL('http://127.0.0.1:8080/auth/jwks'),
      logLevel: 'info',
    });
    // The sandbox calls nothing but the gateway.
    expect(Object.keys(config.upstreams)).toEqual(['gateway']);
  });

  it('reads every variable', () => {
    const config = parseImageProcessorConfig({
      AIRLOCK_IMAGE_PROCESSOR_PORT: '9000',
      AIRLOCK_IMAGE_PROCESSOR_HOST: '0.0.0.0',
      AIRLOCK_AUTH_ISSUER: 'http://gateway:8080/auth',
      AIRLOCK_JWKS_URL: 'http://gateway:8080/auth/jwks',
      LOG_LEVEL: 'warn',
    });
    expect(config).toMatchObject({ port: 9000, host: '0.0.0.0', logLevel: 'warn' });
    expect(config.jwksUrl?.href).toBe('http://gateway:8080/auth/jwks');
  });

  it.each([
    ['AIRLOCK_IMAGE_PROCESSOR_PORT', '70000'],
    ['AIRLOCK_IMAGE_PROCESSOR_HOST', 'http://evil/'],
    ['AIRLOCK_JWKS_URL', 'file:///etc/passwd'],
    ['AIRLOCK_JWKS_URL', 'http://user:password@gateway/auth/jwks'],
    ['AIRLOCK_AUTH_ISSUER', 'not a url'],
  ])('refuses %s=%j', (variable, value) => {
    expect(() => parseImageProcessorConfig({ [variable]: value })).toThrow(ConfigError);
  });
});
