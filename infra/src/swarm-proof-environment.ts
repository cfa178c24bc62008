// What the Swarm proofs change from the stack file, and why (the proofs read the same values for their bounds).
// The container suite's own changes are in infra/test/containers/support/stack-launcher.ts.

/** Per token: a burst one test can exhaust in a second, a refill a steady stream of requests stays under. */
export const SWARM_PROOF_TOKEN_BURST = 60;
export const SWARM_PROOF_TOKEN_PER_SECOND = 5;
/**
 * The gateway's cache of introspection results, as in production (30 s): a revoked token refused by both
 * gateways within 2 s is then the fan-out's doing, not a short cache.
 */
export const SWARM_PROOF_CACHE_MAX_TTL_SECONDS = 30;

export const SWARM_PROOF_ENVIRONMENT: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  // Promotion of a staged signing key waits for consumers' JWKS caches: none, so a rotation fits in a proof.
  auth: { AIRLOCK_AUTH_JWKS_CACHE_MAX_AGE_SECONDS: '0' },
  gateway: {
    AIRLOCK_GATEWAY_CACHE_MAX_TTL_SECONDS: String(SWARM_PROOF_CACHE_MAX_TTL_SECONDS),
    AIRLOCK_GATEWAY_NEGATIVE_CACHE_TTL_SECONDS: '1',
    // Every request of the suite comes from the host's one address on docker_gwbridge: its per-address limits
    // would otherwise cut the 50 concurrent pays (each its own connection and token exchange) short.
    AIRLOCK_GATEWAY_RATE_IP_PER_SECOND: '1000',
    AIRLOCK_GATEWAY_RATE_IP_BURST: '2000',
    AIRLOCK_GATEWAY_MAX_CONNECTIONS_PER_CLIENT: '1000',
    AIRLOCK_GATEWAY_MAX_EXCHANGES_PER_CLIENT: '128',
    AIRLOCK_GATEWAY_RATE_TOKEN_PER_SECOND: String(SWARM_PROOF_TOKEN_PER_SECOND),
    AIRLOCK_GATEWAY_RATE_TOKEN_BURST: String(SWARM_PROOF_TOKEN_BURST),
  },
};
