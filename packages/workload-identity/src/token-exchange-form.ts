// The body of a token-exchange request (RFC 8693) authenticated with private_key_jwt (RFC 7523): what the
// gateway and orders send to auth to trade the token they hold for one addressed to their callee. One builder,
// so every caller (and every test and demo that plays one) asks in exactly the same way.

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
/** What auth may also answer as `issued_token_type` for a JWT access token (RFC 8693 §3). */
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
export const REFRESH_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:refresh_token';
export const JWT_BEARER_CLIENT_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface TokenExchangeFormOptions {
  /** The requesting service's client_id: its topology name. */
  readonly service: string;
  /** A client assertion signed by the service's workload key (createClientAssertion). */
  readonly assertion: string;
  /** The token held: a client's opaque access token (gateway) or the JWT the service received (orders). */
  readonly subjectToken: string;
  /** Exactly one target service. */
  readonly audience: string;
  /** Narrows the scopes; omitted, the subject token's scopes carry over. */
  readonly scope?: string;
  /**
   * RFC 9396 authorization details: the one operation a token for a callee that binds operations is worth
   * (sent as JSON; auth refuses them for any other callee).
   */
  readonly authorizationDetails?: readonly Readonly<Record<string, unknown>>[];
}

export function tokenExchangeForm(options: TokenExchangeFormOptions): URLSearchParams {
  const form = new URLSearchParams({
    grant_type: TOKEN_EXCHANGE_GRANT,
    subject_token: options.subjectToken,
    subject_token_type: ACCESS_TOKEN_TYPE,
    requested_token_type: ACCESS_TOKEN_TYPE,
    audience: options.audience,
    client_id: options.service,
    client_assertion_type: JWT_BEARER_CLIENT_ASSERTION,
    client_assertion: options.assertion,
  });
  if (options.scope !== undefined) form.set('scope', options.scope);
  if (options.authorizationDetails !== undefined) {
    form.set('authorization_details', JSON.stringify(options.authorizationDetails));
  }
  return form;
}
