import { describe, expect, it } from '@jest/globals';
import { tokenExchangeForm } from '../src/token-exchange-form.js';

describe('tokenExchangeForm', () => {
  it('asks for an access token for one audience, authenticated with the assertion', () => {
    const form = tokenExchangeForm({
      service: 'orders',
      assertion: 'a.b.c',
      subjectToken: 'subject',
      audience: 'payments',
    });
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: 'subject',
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      audience: 'payments',
      client_id: 'orders',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: 'a.b.c',
    });
  });

  it('narrows the scope only when asked', () => {
    const options = { service: 'orders', assertion: 'a.b.c', subjectToken: 's', audience: 'payments' };
    expect(tokenExchangeForm(options).has('scope')).toBe(false);
    expect(tokenExchangeForm({ ...options, scope: 'admin' }).get('scope')).toBe('admin');
  });
});
