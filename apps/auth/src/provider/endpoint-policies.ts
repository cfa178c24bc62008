// Two answers oidc-provider gets almost right, made exact: a client using a grant type it is not registered
// for gets `unauthorized_client` (RFC 6749 §5.2) rather than `invalid_request`, and a client other than the
// gateway gets 403 at introspection instead of a quiet `{"active":false}`.
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';

type Middleware = Parameters<Provider['use']>[0];
type KoaContext = Parameters<Middleware>[0];

export interface EndpointPolicyOptions {
  readonly introspectionClients: ReadonlySet<string>;
}

/** ctx.oidc exists only once a route matched; unknown paths never get one. */
function oidcOf(ctx: KoaContext): KoaContextWithOIDC['oidc'] | undefined {
  return (ctx as Partial<KoaContextWithOIDC>).oidc;
}

export function endpointPolicies(options: EndpointPolicyOptions): Middleware {
  return async (ctx, next) => {
    await next();
    const oidc = oidcOf(ctx);
    const client = oidc?.client;
    if (oidc === undefined || client === undefined) return;
    const { route } = oidc;

    if (route === 'token' && ctx.status === 400 && isErrorBody(ctx.body, 'invalid_request')) {
      const grantType = oidc.params?.grant_type;
      if (typeof grantType === 'string' && !client.grantTypeAllowed(grantType)) {
        ctx.body = {
          error: 'unauthorized_client',
          error_description: 'the client is not allowed to use this grant type',
        };
      }
    }

    if (route === 'introspection' && !options.introspectionClients.has(client.clientId)) {
      ctx.status = 403;
      ctx.body = { error: 'unauthorized_client', error_description: 'the client may not use introspection' };
    }
  };
}

function isErrorBody(body: unknown, error: string): boolean {
  return typeof body === 'object' && body !== null && 'error' in body && body.error === error;
}
