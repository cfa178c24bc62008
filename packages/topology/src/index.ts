// Public entry of @airlock/topology: the model, its validation, Airlock's topology and what derives from it.
export type {
  CallPrincipal,
  CallSpec,
  ContainerSpec,
  EdgeRouteSpec,
  HttpMethod,
  IntentSpec,
  OperationBindingSpec,
  RouteSpec,
  ServiceSpec,
  StoreEngine,
  StoreSpec,
  Topology,
  TopologySpec,
  ZoneKind,
  ZoneSpec,
} from './model.js';
export { MAX_UPLOAD_BYTES } from './model.js';
export { TopologyError, type TopologyErrorCode } from './topology-error.js';
export { defineTopology } from './define-topology.js';
export { airlockTopology } from './airlock-topology.js';
export { edgeFrontEndsOf, edgeService, serviceNamed, zonesJoinedBy } from './lookup.js';
export { admissionNetworkName, networksOf, reachabilityOf, type NetworkSpec } from './networks.js';
export {
  DATA_NETWORK_PREFIX,
  storeInstancesOf,
  storeReachabilityOf,
  storesOf,
  type StoreInstance,
} from './stores.js';
export { allowedCallsTo, callersOfRoute, type AllowedCall } from './callers.js';
export {
  AUTHORIZATION_DETAILS,
  intendedObjectOf,
  operationOfRoute,
  parseBoundOperation,
  sameOperation,
  type BoundOperation,
} from './bound-operation.js';
export {
  INTENT_IDENTIFIER,
  intentRouteOf,
  intentsConveyedTo,
  parseUserIntent,
  type ConveyedIntents,
  type IntentRoute,
  type UserIntent,
} from './user-intent.js';
export { scopesOfAudience, userRouteScopes } from './audience-scopes.js';
export { tokenExchangeRules, type TokenExchangeRule } from './token-exchange-policy.js';
export { renderMermaid, renderTopologyMarkdown } from './render-markdown.js';
export { renderServiceAccessMarkdown } from './render-service-access.js';
export { renderServiceInventoryMarkdown } from './render-service-inventory.js';
export { replaceGeneratedSection } from './generated-section.js';
export {
  JWKS_PATH,
  LOCAL_HOST,
  edgePrefixOf,
  envPrefixOf,
  hostVariableOf,
  issuerServiceOf,
  jwksProviderOf,
  localIssuerOf,
  localOriginOf,
  portVariableOf,
  startOrderOf,
  upstreamsOf,
  urlVariableOf,
} from './service-addresses.js';
