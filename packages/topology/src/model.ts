// The vocabulary of the topology: zones, services, the calls between them and the gateway's edge routes.
// Everything that enforces a boundary (networks, caller allowlists, token exchange) is derived from these.

/** How much a zone is trusted, which decides who may call into it and out of it. */
export type ZoneKind =
  /** Faces clients; only the gateway lives here and only its port is published. */
  | 'edge'
  /** Ordinary business services. */
  | 'trusted'
  /** High-risk processing: calls in only from admitted services, calls out only to its own zone. */
  | 'sandbox'
  /** Sensitive services: calls in only from members and admitted services. */
  | 'enclave';

export interface ZoneSpec {
  readonly name: string;
  readonly kind: ZoneKind;
  readonly purpose: string;
  /** Services outside the zone that may call into it (sandbox and enclave zones only). */
  readonly admits?: readonly string[];
}

export interface ServiceSpec {
  readonly name: string;
  /** Port the service listens on, in the local stack and in its container. Unique per topology. */
  readonly port: number;
  /** Zones the service lives in. A service lives in at most one enclave or sandbox. */
  readonly zones: readonly string[];
  readonly purpose: string;
  /** What an attacker who controls the service holds (keys, data): the threat model's table of assets. */
  readonly holds: string;
  /** How it runs, as a process and in a container, where it departs from the default. */
  readonly container?: ContainerSpec;
}

export interface ContainerSpec {
  /** It keeps keys or a database: it gets a data volume of its own; nothing else does. */
  readonly persistsData?: boolean;
  /**
   * Its data volume holds its workload key and nothing else. On a cluster the key comes from a Secret, so its
   * replicas need no volume in common and it may run more than one (infra/src/kubernetes).
   */
  readonly persistsOnlyWorkloadKey?: boolean;
  /** Memory limit in MB (default 256). */
  readonly memoryMb?: number;
  /** Flags for Node itself, before the entry point (e.g. V8 heap sizing); the same locally and in containers. */
  readonly nodeFlags?: readonly string[];
}

/**
 * On whose behalf a call is made, which decides the credential it carries:
 * - `user`: a user's token exchanged for one whose single audience is the callee;
 * - `service`: the caller's own identity (private_key_jwt client authentication at auth);
 * - `public`: nothing; only for endpoints that serve public material (JWKS, discovery, login pages).
 */
export type CallPrincipal = 'user' | 'service' | 'public';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  readonly method: HttpMethod;
  /** Express-style path on the callee, e.g. `/orders/:id`. */
  readonly path: string;
  /**
   * `user` calls only: the scopes the user's token must carry on this route. A token exchanged for the callee
   * carries these and no others (scopesOfAudience), so a service never holds a scope none of its routes asks for.
   */
  readonly scopes?: readonly string[];
  /**
   * Calls that bind their tokens to one operation only: the operation this route performs. A token for the
   * callee then names it in its `authorization_details`, and the route accepts that token for it alone, once.
   */
  readonly operation?: string;
  /**
   * Calls from the edge that convey a user's intent only: the action the user asks for on the object the route's
   * one `:param` names (`charge` on `POST /orders/:id/pay`). The edge sends such a request with a fresh token that
   * names the intent (`conveysIntent`), and a bound operation of the same name on the callee's own calls is
   * minted only against it, once.
   */
  readonly intent?: string;
  /**
   * The route's body is an image upload: whoever receives it on the way (the gateway, web's BFF) admits up to
   * MAX_UPLOAD_BYTES on it instead of its default body limit. Not on GET or DELETE.
   */
  readonly upload?: true;
}

/**
 * The largest image upload: image-processor's own limit. Every hop of an upload route admits this much, so an upload
 * the sandbox would take is never cut short on the way, and one it would refuse never crosses into it.
 */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

export interface CallSpec {
  readonly from: string;
  readonly to: string;
  readonly as: CallPrincipal;
  readonly routes: readonly RouteSpec[];
  readonly why: string;
  /**
   * `user` calls that move money: every token the caller obtains for the callee is bound to one operation
   * (RFC 9396 `authorization_details` of this type), lives this many seconds and is used once.
   */
  readonly bindsOperation?: OperationBindingSpec;
  /**
   * Edge `user` calls whose routes name an `intent`: the token the edge sends on such a route is not its cached
   * one but a fresh one carrying the intent (RFC 9396 `authorization_details` of this type), for these seconds.
   */
  readonly conveysIntent?: IntentSpec;
}

export interface IntentSpec {
  /** The RFC 9396 `type` of the one authorization detail that names what the user asked for. */
  readonly detailsType: string;
  /** The intent-bound token's lifetime: seconds, enough for the one request it rides on. */
  readonly tokenLifetimeSeconds: number;
}

/**
 * Every bound operation is redeemed against a user's intent of the same name that the edge conveyed to the
 * caller (RouteSpec.intent): the caller cannot move money no user asked it to move.
 */
export interface OperationBindingSpec {
  /** The RFC 9396 `type` of the one authorization detail a token for the callee carries. */
  readonly detailsType: string;
  /** The bound token's lifetime: seconds, enough for one call and its retry, never minutes. */
  readonly tokenLifetimeSeconds: number;
}

/** A path prefix that the gateway forwards from the edge to one service. */
export interface EdgeRouteSpec {
  /** Public path prefix, matched on whole segments: `/api/orders` matches `/api/orders/1`, not `/api/ordersx`. */
  readonly prefix: string;
  readonly to: string;
  /** The prefix that replaces `prefix` on the way to the service. */
  readonly upstreamPrefix: string;
  /** `user`: a client's opaque token is required and exchanged; `public`: forwarded without credentials. */
  readonly as: Extract<CallPrincipal, 'user' | 'public'>;
}

/** The engines a store can run; each has its container image and its way of handing out credentials. */
export type StoreEngine = 'postgresql' | 'redis';

/**
 * A data store that services keep state in (PostgreSQL, Redis). It calls nobody; it is reached only over data
 * networks of its own, by the services that use it, each with credentials of its own.
 */
export interface StoreSpec {
  readonly name: string;
  readonly engine: StoreEngine;
  /** The port it listens on in its container. */
  readonly port: number;
  /**
   * `per-service`: each user gets an instance of its own (`<store>-<service>`), alone with it on a data network,
   * so no service can even connect to another's database; `shared`: one instance on one network with all its
   * users, for state they must share (one rate limit across replicas, revocation fan-out).
   */
  readonly sharing: 'per-service' | 'shared';
  readonly usedBy: readonly string[];
  readonly purpose: string;
  /** What an attacker who controls an instance holds: the threat model's table of assets. */
  readonly holds: string;
}

export interface TopologySpec {
  readonly zones: readonly ZoneSpec[];
  readonly services: readonly ServiceSpec[];
  readonly calls: readonly CallSpec[];
  readonly edgeRoutes: readonly EdgeRouteSpec[];
  /** Data stores and who uses them; none: every service keeps its state embedded (SQLite, in memory). */
  readonly stores?: readonly StoreSpec[];
}

/** A validated topology; only `defineTopology` makes one. */
export interface Topology extends TopologySpec {
  readonly validated: true;
}
