// Reading the bearer token from raw headers: one header, Bearer scheme in any case, token68 syntax.
import { describe, expect, it } from '@jest/globals';
import { readBearerToken } from '../src/read-bearer-token.js';

describe('readBearerToken', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc.def.ghi', 'abc.def.ghi'],
    ['BEARER abc.def.ghi', 'abc.def.ghi'],
    ['bEaReR abc.def.ghi', 'abc.def.ghi'],
    ['Bearer   abc.def.ghi', 'abc.def.ghi'],
    ['Bearer abc+/~_-.==', 'abc+/~_-.=='],
  ])('reads %j', (value, token) => {
    expect(readBearerToken(['Host', 'x', 'Authorization', value])).toEqual({ kind: 'token', token });
  });

  it('reads the header whatever the case of its name', () => {
    expect(readBearerToken(['aUtHoRiZaTiOn', 'Bearer t'])).toEqual({ kind: 'token', token: 't' });
  });

  it.each([
    ['no header at all', []],
    ['only other headers', ['Host', 'x', 'X-Authorization', 'Bearer t']],
    ['another scheme', ['Authorization', 'Basic dXNlcjpwYXNz']],
    ['a DPoP-bound scheme', ['Authorization', 'DPoP abc']],
    ['a scheme that only starts with Bearer', ['Authorization', 'Bearerabc']],
  ])('treats %s as a missing token (no error code, RFC 6750 §3.1)', (_label, headers) => {
    expect(readBearerToken(headers)).toEqual({ kind: 'missing' });
  });

  it.each([
    ['two Authorization headers', ['Authorization', 'Bearer a', 'authorization', 'Bearer b']],
    ['the scheme alone', ['Authorization', 'Bearer']],
    ['the scheme and a space', ['Authorization', 'Bearer ']],
    ['two tokens', ['Authorization', 'Bearer a b']],
    ['a comma list', ['Authorization', 'Bearer a, Bearer b']],
    ['auth-params instead of token68', ['Authorization', 'Bearer token="abc"']],
    ['padding inside the token', ['Authorization', 'Bearer ab=c']],
    ['a tab separator', ['Authorization', 'Bearer\tabc']],
    ['a trailing space', ['Authorization', 'Bearer abc ']],
    ['non-ASCII', ['Authorization', 'Bearer abcé']],
    ['an empty value', ['Authorization', '']],
  ])('treats %s as malformed', (_label, headers) => {
    expect(readBearerToken(headers)).toEqual({ kind: 'malformed' });
  });
});
