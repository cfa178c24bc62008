// The validator the cross-service suites run on every answer: it passes answers as described and fails a
// deliberately wrong one (a missing field, an extra field, a wrong type, an undescribed status).
import { describe, expect, it } from '@jest/globals';

import { buildOpenApiDocument, createAnswerValidator } from '../src/index.js';

const validator = createAnswerValidator(buildOpenApiDocument());
const order = {
  id: '0b7a4c1e-5d2f-4a8b-9c3d-1e2f3a4b5c6d',
  status: 'pending_payment',
  items: [{ sku: 'tea', name: 'Tea', unitPrice: 450, quantity: 2, lineTotal: 900 }],
  total: 900,
  currency: 'EUR',
  refundedAmount: 0,
  createdAt: '2026-11-29T22:00:00.000Z',
  paidAt: null,
};
const answer = (path: string, status: number, body: unknown, method = 'GET') => ({
  method,
  path,
  status,
  contentType: 'application/json; charset=utf-8',
  body,
});

describe('createAnswerValidator', () => {
  it('accepts answers as the document describes them', () => {
    expect(validator.problemsOf(answer(`/api/orders/${order.id}`, 200, order))).toEqual([]);
    expect(validator.problemsOf(answer('/bff/api/orders', 201, order, 'POST'))).toEqual([]);
    expect(
      validator.problemsOf(answer('/api/orders', 401, { error: { code: 'missing_token', message: 'x' } })),
    ).toEqual([]);
  });

  it('fails a deliberately wrong answer', () => {
    const withoutTotal: Partial<typeof order> = { ...order };
    delete withoutTotal.total;
    expect(validator.problemsOf(answer(`/api/orders/${order.id}`, 200, withoutTotal))).not.toEqual([]);
    expect(
      validator.problemsOf(answer(`/api/orders/${order.id}`, 200, { ...order, accessToken: 'eyJ...' })),
    ).not.toEqual([]);
    expect(validator.problemsOf(answer('/api/catalog', 200, [{ ...order, price: '1' }]))).not.toEqual([]);
    expect(validator.problemsOf(answer('/api/orders', 200, { error: 'nope' }))).not.toEqual([]);
    expect(validator.problemsOf(answer('/api/orders', 418, {}))).toEqual([
      'GET /api/orders 418: the status is not described',
    ]);
    expect(validator.problemsOf({ ...answer('/api/orders', 200, []), contentType: 'text/html' })).not.toEqual(
      [],
    );
  });

  it('leaves routes the document does not describe to other checks', () => {
    expect(validator.problemsOf(answer('/internal/debug', 200, {}))).toEqual([]);
  });
});
