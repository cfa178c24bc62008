import { describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';

import { SECURITY_HEADERS, securityHeaders } from '../src/security-headers.js';

describe('securityHeaders', () => {
  it('sets the JSON API headers', async () => {
    const app = express();
    app.use(securityHeaders());
    app.get('/', (_req, res) => res.json({}));
    const response = await request(app).get('/').expect(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['cross-origin-resource-policy']).toBe('same-origin');
  });

  it('cannot be changed by a consumer at run time', () => {
    expect(Object.isFrozen(SECURITY_HEADERS)).toBe(true);
  });
});
