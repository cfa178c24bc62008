// Configures oidc-provider as Airlock's authorization server: authorization code + PKCE (S256) for the
// first-party clients, opaque access tokens, rotating refresh tokens, introspection for the gateway only,
// revocation, private_key_jwt for services, token exchange, and every feature nothing here uses turned off.
import type { EventEmitter } from 'node:events';
import { airlockTopology, callersOfRoute } from '@airlock/topology';
import type { Logger } from '@airlock/service-kit';
import {
  errors,
  interactionPolicy,
  Provider,
  type Account,
  type Configuration,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import { TOKEN_EXCHANGE_GRANT } from '@airlock/workload-identity';
import { CLI_CLIENT_ID, USER_SCOPES, type ClientRegistry } from '../clients/client-registry.js';
import { AUTH_PATH_PREFIX } from '../config.js';
import { service } from '../service.js';
import type { LoadedSigningKeys } from '../keys/loaded-signing-keys.js';
import { providerJwks, SIGNING_ALG } from '../keys/signing-key-set.js';
import type { UserStore } from '../users/user-store.js';
import { errorPage } from '../views/html.js';
import { endpointPolicies } from './endpoint-policies.js';
import { applyRequestedScopes } from './grant-scopes.js';
import type { OidcStore } from './oidc-store.js';
import { RevocationReportingAdapter } from './revocation-reporting.js';
import {
  exchangeDefaultResource,
  INTERNAL_TOKEN_TTL_SECONDS,
  TOKEN_EXCHANGE_PARAMETERS,
  tokenExchangeHandler,
  type TokenExchangeDeps,
} from './token-exchange-grant.js';

export const AUTHORIZATION_CODE_TTL_SECONDS = 60;
export const INTERACTION_TTL_SECONDS = 10 * 60;
/** Tolerated clock skew on client assertions and on auth's own tokens. */
export const CLOCK_TOLERANCE_SECONDS = 5;
/** Longest life auth accepts for a private_key_jwt client assertion. */
export const MAX_CLIENT_ASSERTION_LIFETIME_SECONDS = 300;

/** The services the topology lets call introspection: the gateway. */
export const INTROSPECTION_CLIENTS: ReadonlySet<string> = new Set(
  callersOfRoute(airlockTopology, service.name, 'POST', `${AUTH_PATH_PREFIX}/token/introspection`),
);

export interface ProviderDeps {
  readonly issuer: string;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly sessionTtlSeconds: number;
  readonly cookieKeys: readonly string[];
  readonly keys: LoadedSigningKeys;
  readonly store: OidcStore;
  readonly clients: ClientRegistry;
  readonly users: UserStore;
  readonly exchange: Omit<TokenExchangeDeps, 'issuer' | 'store' | 'users' | 'logger'>;
  readonly logger: Logger;
  /** Called with the SHA-256 of every access token auth stops honouring (the gateways' revocation fan-out). */
  readonly onAccessTokensRevoked?: ((tokenHashes: readonly string[]) => void) | undefined;
}

export function createProvider(deps: ProviderDeps): Provider {
  const { issuer, store, clients, users, logger } = deps;

  const findAccount = (_ctx: KoaContextWithOIDC, sub: string): Account | undefined =>
    users.find(sub) === undefined ? undefined : { accountId: sub, claims: () => ({ sub }) };

  const configuration: Configuration = {
    adapter: (model: string) => {
      if (model === 'Client') return clients.adapter();
      const report = deps.onAccessTokensRevoked;
      if (model !== 'AccessToken' || report === undefined) return store.adapterFor(model);
      return new RevocationReportingAdapter({
        inner: store.adapterFor(model),
        idHashesOfGrant: (grantId) => store.idHashesOfGrant(model, grantId),
        report,
      });
    },
    clients: [],
    clientAuthMethods: ['none', 'private_key_jwt'],
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      id_token_signed_response_alg: SIGNING_ALG,
    },
    enabledJWA: {
      clientAuthSigningAlgValues: [SIGNING_ALG],
      idTokenSigningAlgValues: [SIGNING_ALG],
    },
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    scopes: [...USER_SCOPES],
    claims: { openid: ['sub'] },
    responseTypes: ['code'],
    pkce: { required: () => true },
    // A client must always say where the code goes; nothing is inferred from its registration.
    allowOmittingSingleRegisteredRedirectUri: false,
    acceptQueryParamAccessTokens: false,
    cookies: {
      keys: [...deps.cookieKeys],
      names: { session: 'airlock_session', interaction: 'airlock_interaction', resume: 'airlock_resume' },
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    features: {
      devInteractions: { enabled: false },
      introspection: {
        enabled: true,
        allowedPolicy: (_ctx, client) => INTROSPECTION_CLIENTS.has(client.clientId),
      },
      revocation: {
        enabled: true,
        // A client revokes its own tokens only; anything else is answered like an unknown token (RFC 7009 §2.2).
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      // Off: nothing in Airlock uses them, and each would be one more endpoint to defend.
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      resourceIndicators: {
        enabled: false,
        // Only so that a token exchange may carry authorization_details (see exchangeDefaultResource).
        defaultResource: (ctx) => exchangeDefaultResource(ctx.oidc.params ?? {}),
      },
      dPoP: { enabled: false },
      clientCredentials: { enabled: false },
      registration: { enabled: false },
      deviceFlow: { enabled: false },
      claimsParameter: { enabled: false },
      requestObjects: { enabled: false },
    },
    interactions: {
      policy: interactionPolicy.base(),
      url: (_ctx, interaction) => `${AUTH_PATH_PREFIX}/interaction/${interaction.uid}`,
    },
    jwks: providerJwks(deps.keys.set),
    routes: {
      authorization: '/authorize',
      jwks: '/jwks',
      token: '/token',
      revocation: '/token/revocation',
      introspection: '/token/introspection',
    },
    ttl: {
      AccessToken: deps.accessTokenTtlSeconds,
      AuthorizationCode: AUTHORIZATION_CODE_TTL_SECONDS,
      // As short as internal JWTs, so key retirement needs to wait for one lifetime only.
      IdToken: INTERNAL_TOKEN_TTL_SECONDS,
      Interaction: INTERACTION_TTL_SECONDS,
      Session: deps.sessionTtlSeconds,
      Grant: deps.refreshTokenTtlSeconds,
      // A rotated refresh token inherits what is left of its family's life: the family ends on time.
      RefreshToken: (ctx) =>
        ctx.oidc.entities.RotatedRefreshToken?.remainingTTL ?? deps.refreshTokenTtlSeconds,
    },
    rotateRefreshToken: true,
    findAccount,
    loadExistingGrant: async (ctx) => {
      const { client, session, result, params } = ctx.oidc;
      const accountId = session?.accountId;
      const user = accountId === undefined ? undefined : users.find(accountId);
      if (client === undefined || session === undefined || user === undefined) return undefined;
      const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      let grant = grantId === undefined ? undefined : await ctx.oidc.provider.Grant.find(grantId);
      if (grant !== undefined && (grant.accountId !== user.username || grant.clientId !== client.clientId)) {
        grant = undefined;
      }
      if (grant === undefined) {
        // Consent is implied for first-party web clients. The CLI is a native client: whoever listens on the
        // loopback port receives the code (RFC 8252 §8.6), so it gets a grant only from an interactive sign-in.
        if (client.clientId === CLI_CLIENT_ID || !clients.isEndUserClient(client.clientId)) return undefined;
        grant = new ctx.oidc.provider.Grant({ accountId: user.username, clientId: client.clientId });
      }
      applyRequestedScopes(grant, params?.scope, user);
      await grant.save();
      return grant;
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage('Sign-in failed', describeError(out.error, out.error_description));
    },
    assertJwtClientAuthClaimsAndHeader: (_ctx, claims, _header, client) => {
      // RFC 7523 §3 plus the stricter audience rule of its update: the issuer identifier and nothing else,
      // so an assertion made for another server or endpoint is never accepted here.
      if (claims.aud !== issuer) throw new errors.InvalidClientAuth('aud must be the issuer identifier');
      if (claims.sub !== client.clientId) throw new errors.InvalidClientAuth('sub must be the client_id');
      const { iat, exp } = claims;
      const now = Math.floor(Date.now() / 1000);
      if (typeof iat !== 'number' || typeof exp !== 'number')
        throw new errors.InvalidClientAuth('iat and exp are required');
      if (
        exp - iat > MAX_CLIENT_ASSERTION_LIFETIME_SECONDS ||
        exp > now + MAX_CLIENT_ASSERTION_LIFETIME_SECONDS
      ) {
        throw new errors.InvalidClientAuth('client assertions must be short-lived');
      }
      if (iat > now + CLOCK_TOLERANCE_SECONDS) throw new errors.InvalidClientAuth('iat is in the future');
    },
  };

  const provider = new Provider(issuer, configuration);
  // Koa reads host and scheme from X-Forwarded-*; the Express layer in front overwrites both with the
  // issuer's, so advertised URLs come from configuration and never from a client's Host header.
  provider.proxy = true;
  provider.use(endpointPolicies({ introspectionClients: INTROSPECTION_CLIENTS }));
  provider.registerGrantType(
    TOKEN_EXCHANGE_GRANT,
    tokenExchangeHandler({ ...deps.exchange, issuer, store, users, logger }),
    TOKEN_EXCHANGE_PARAMETERS,
    [],
  );
  provider.on('server_error', (_ctx, error) => {
    logger.error({ err: error }, 'oidc-provider server error');
  });
  // Without a listener Koa prints errors to stderr itself, outside the redacting logger.
  (provider as unknown as EventEmitter).on('error', (error: unknown) => {
    logger.error({ err: error }, 'oidc-provider request failed');
  });
  return provider;
}

function describeError(error: string, description: string | undefined): string {
  const detail = description === undefined ? '' : ` (${description})`;
  return `The request could not be completed: ${error}${detail}. Return to the application and try again.`;
}
