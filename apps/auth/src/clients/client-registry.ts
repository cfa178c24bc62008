// The clients auth knows, and nothing else (dynamic registration is off). End-user clients are public
// (PKCE, no secret), except the edge's front ends (the web backend-for-frontend): they sign users in with PKCE
// and authenticate with private_key_jwt. Service and front-end public keys are read from the data folder each
// time the client is looked up, so a service started after auth works without a restart.
import { airlockTopology, edgeFrontEndsOf, issuerServiceOf, tokenExchangeRules } from '@airlock/topology';
import { readWorkloadPublicJwk, TOKEN_EXCHANGE_GRANT } from '@airlock/workload-identity';
import type { Adapter, AdapterPayload, ClientMetadata } from 'oidc-provider';
import type { Logger } from '@airlock/service-kit';
import { SIGNING_ALG } from '../keys/signing-key-set.js';

/** Scopes an end-user client may ask for; `admin` is granted only to users with the admin role. */
export const USER_SCOPES = ['openid', 'offline_access', 'orders', 'images', 'admin'] as const;

export const CLI_CLIENT_ID = 'airlock-cli';
export const WEB_CLIENT_ID = 'airlock-web';
/** RFC 8252 §7.3: the port is chosen by the CLI at run time and ignored when matching (native clients only). */
export const CLI_REDIRECT_URI = 'http://127.0.0.1/callback';

/** The edge's front ends: confidential end-user clients named after their service, keyed by their workload key. */
export const FRONT_END_CLIENT_IDS: readonly string[] = edgeFrontEndsOf(airlockTopology).map(
  (service) => service.name,
);

export const END_USER_CLIENT_IDS: ReadonlySet<string> = new Set([
  CLI_CLIENT_ID,
  WEB_CLIENT_ID,
  ...FRONT_END_CLIENT_IDS,
]);

/** Every other service of the topology but auth itself authenticates to auth as a client of its own name. */
export const SERVICE_CLIENT_IDS: readonly string[] = airlockTopology.services
  .map((service) => service.name)
  .filter((name) => name !== issuerServiceOf(airlockTopology).name && !FRONT_END_CLIENT_IDS.includes(name));

/** Token exchange only for the services that the topology lets request one; the rest get no grant at all. */
function serviceGrantTypes(service: string): string[] {
  return tokenExchangeRules(airlockTopology).some((rule) => rule.requester === service)
    ? [TOKEN_EXCHANGE_GRANT]
    : [];
}

export interface ClientRegistryOptions {
  readonly webRedirectUris: readonly string[];
  /** Folder holding `<service>/workload-key.public.jwk.json`. */
  readonly workloadKeysDir: string;
  readonly logger: Logger;
}

export class ClientRegistry {
  readonly #options: ClientRegistryOptions;

  constructor(options: ClientRegistryOptions) {
    this.#options = options;
  }

  isEndUserClient(clientId: string): boolean {
    return END_USER_CLIENT_IDS.has(clientId);
  }

  async metadataFor(clientId: string): Promise<ClientMetadata | undefined> {
    const endUserScope = USER_SCOPES.join(' ');
    const endUser: Omit<ClientMetadata, 'client_id'> = {
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: endUserScope,
      id_token_signed_response_alg: SIGNING_ALG,
    };
    if (clientId === CLI_CLIENT_ID) {
      return {
        ...endUser,
        client_id: clientId,
        application_type: 'native',
        redirect_uris: [CLI_REDIRECT_URI],
      };
    }
    if (clientId === WEB_CLIENT_ID) {
      return {
        ...endUser,
        client_id: clientId,
        application_type: 'web',
        redirect_uris: [...this.#options.webRedirectUris],
      };
    }
    if (FRONT_END_CLIENT_IDS.includes(clientId)) {
      const jwks = await this.#workloadJwks(clientId);
      if (jwks === undefined) return undefined;
      // Same web redirect URIs as the public web client: the front end is served at the edge's origin.
      return {
        ...endUser,
        client_id: clientId,
        application_type: 'web',
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: SIGNING_ALG,
        redirect_uris: [...this.#options.webRedirectUris],
        jwks,
      };
    }
    if (SERVICE_CLIENT_IDS.includes(clientId)) return this.#serviceMetadata(clientId);
    return undefined;
  }

  async #workloadJwks(service: string): Promise<ClientMetadata['jwks'] | undefined> {
    let publicJwk;
    try {
      publicJwk = await readWorkloadPublicJwk({ dataDir: this.#options.workloadKeysDir, service });
    } catch (error) {
      // A key file that is present but wrong (bad mode, private members, swapped kid) authenticates nobody.
      this.#options.logger.error({ err: error, client: service }, 'workload public key refused');
      return undefined;
    }
    return publicJwk === undefined ? undefined : { keys: [{ ...publicJwk }] };
  }

  async #serviceMetadata(service: string): Promise<ClientMetadata | undefined> {
    const jwks = await this.#workloadJwks(service);
    if (jwks === undefined) return undefined;
    return {
      client_id: service,
      application_type: 'web',
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: SIGNING_ALG,
      grant_types: serviceGrantTypes(service),
      response_types: [],
      redirect_uris: [],
      jwks,
    };
  }

  /** oidc-provider's `Client` model reads through this; it never writes (registration is disabled). */
  adapter(): Adapter {
    const refuse = (): Promise<undefined> => Promise.reject(new Error('clients are read-only'));
    return {
      find: async (id: string): Promise<AdapterPayload | undefined> => this.metadataFor(id),
      upsert: refuse,
      findByUid: () => Promise.resolve(undefined),
      findByUserCode: () => Promise.resolve(undefined),
      consume: refuse,
      destroy: refuse,
      revokeByGrantId: () => Promise.resolve(undefined),
    };
  }
}
