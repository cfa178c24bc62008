import { describe, expect, it } from '@jest/globals';

import {
  AppError,
  badRequest,
  conflict,
  errorBody,
  forbidden,
  methodNotAllowed,
  notFound,
  payloadTooLarge,
  serviceUnavailable,
  tooManyRequests,
  unauthorized,
  unsupportedMediaType,
} from '../src/errors.js';

describe('error factories', () => {
  it.each([
    [notFound(), 404, 'not_found'],
    [badRequest('invalid_order', 'The order is invalid.'), 400, 'invalid_order'],
    [unauthorized(), 401, 'unauthorized'],
    [forbidden(), 403, 'forbidden'],
    [methodNotAllowed(['GET']), 405, 'method_not_allowed'],
    [conflict(), 409, 'conflict'],
    [conflict('order_already_paid', 'The order is already paid.'), 409, 'order_already_paid'],
    [payloadTooLarge(), 413, 'payload_too_large'],
    [unsupportedMediaType(), 415, 'unsupported_media_type'],
    [tooManyRequests(30), 429, 'too_many_requests'],
    [serviceUnavailable(), 503, 'service_unavailable'],
  ])('%# has a stable status and code', (error, status, code) => {
    expect(error).toBeInstanceOf(AppError);
    expect(error).toBeInstanceOf(Error);
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.expose.length).toBeGreaterThan(0);
  });

  it('carries the headers that belong to the error', () => {
    expect(methodNotAllowed(['GET', 'HEAD']).headers).toEqual({ Allow: 'GET, HEAD' });
    expect(tooManyRequests(1.2).headers).toEqual({ 'Retry-After': '2' });
    expect(serviceUnavailable(5).headers).toEqual({ 'Retry-After': '5' });
    expect(unauthorized().headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
    expect(unauthorized('Bearer error="invalid_token"').headers).toEqual({
      'WWW-Authenticate': 'Bearer error="invalid_token"',
    });
  });

  it('refuses arguments that would make a bad response', () => {
    expect(() => methodNotAllowed([])).toThrow(TypeError);
    expect(() => methodNotAllowed(['GET\r\nX-Evil: 1'])).toThrow(TypeError);
    expect(() => tooManyRequests(-1)).toThrow(TypeError);
    expect(() => tooManyRequests(Number.NaN)).toThrow(TypeError);
    expect(() => unauthorized('Bearer\r\nSet-Cookie: x')).toThrow(TypeError);
    expect(() => badRequest('Not A Code', 'x')).toThrow(TypeError);
    expect(() => new AppError({ status: 200, code: 'ok', expose: 'x' })).toThrow(TypeError);
    expect(() => new AppError({ status: 600, code: 'x', expose: 'x' })).toThrow(TypeError);
  });

  it('keeps the server-side detail apart from the client message', () => {
    const error = new AppError({
      status: 502,
      code: 'upstream_failed',
      expose: 'Try again later.',
      detail: 'orders at 10.0.0.7 refused',
    });
    expect(error.message).toBe('orders at 10.0.0.7 refused');
    expect(error.expose).toBe('Try again later.');
  });
});

describe('errorBody', () => {
  it('is the one envelope', () => {
    expect(errorBody('not_found', 'Nope.', 'req-12345678')).toEqual({
      error: { code: 'not_found', message: 'Nope.', requestId: 'req-12345678' },
    });
    expect(errorBody('not_found', 'Nope.')).toEqual({ error: { code: 'not_found', message: 'Nope.' } });
  });
});
