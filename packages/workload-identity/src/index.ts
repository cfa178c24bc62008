// Public entry of @airlock/workload-identity: a service's own key pair and its private_key_jwt assertions.
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
export { workloadKeyPaths, type WorkloadKeyLocation, type WorkloadKeyPaths } from './key-files.js';
export { WORKLOAD_KEY_ALG, type WorkloadPublicJwk } from './workload-jwk.js';
export { WorkloadIdentityError, type WorkloadIdentityErrorCode } from './errors.js';
export {
  ACCESS_TOKEN_TYPE,
  JWT_BEARER_CLIENT_ASSERTION,
  TOKEN_EXCHANGE_GRANT,
  tokenExchangeForm,
  type TokenExchangeFormOptions,
} from './token-exchange-form.js';
