// Public entry of @airlock/workload-identity: a service's own key pair, its private_key_jwt assertions, and the
// one token-exchange client the services use to call auth.
export { ensureWorkloadKeyPair, type WorkloadKeyPair } from './ensure-workload-key-pair.js';
export { readWorkloadPublicJwk } from './read-workload-public-jwk.js';
export {
  createClientAssertion,
  DEFAULT_ASSERTION_LIFETIME_SECONDS,
  MAX_ASSERTION_LIFETIME_SECONDS,
  type ClientAssertionOptions,
} from './create-client-assertion.js';
export {
  CLIENT_ADDRESS_HEADER,
  CLIENT_ADDRESS_LIFETIME_SECONDS,
  CLIENT_ADDRESS_TYP,
  createClientAddressAssertion,
  verifyClientAddressAssertion,
  type ClientAddressAssertionOptions,
  type ClientAddressVerification,
} from './client-address-assertion.js';
export {
  PRIVATE_KEY_FILE,
  PUBLIC_KEY_FILE,
  workloadKeyPaths,
  type WorkloadKeyLocation,
  type WorkloadKeyPaths,
} from './key-files.js';
export { WORKLOAD_KEY_ALG, type WorkloadPublicJwk } from './workload-jwk.js';
export { WorkloadIdentityError, type WorkloadIdentityErrorCode } from './errors.js';
export {
  ACCESS_TOKEN_TYPE,
  JWT_BEARER_CLIENT_ASSERTION,
  JWT_TOKEN_TYPE,
  REFRESH_TOKEN_TYPE,
  TOKEN_EXCHANGE_GRANT,
  tokenExchangeForm,
  type TokenExchangeFormOptions,
} from './token-exchange-form.js';
export {
  createTokenExchangeClient,
  exchangeOrThrow,
  MAX_EXCHANGE_RESPONSE_BYTES,
  MAX_EXCHANGE_TIMEOUT_MS,
  TokenExchangeError,
  type TokenExchangeClient,
  type TokenExchangeClientOptions,
  type TokenExchangeErrorCode,
  type TokenExchangeRequest,
  type TokenExchangeResult,
} from './exchange-token.js';
