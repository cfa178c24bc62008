// Airlock's zones, services and allowed calls: the one place a boundary is decided.
// Compose networks, caller allowlists, the token-exchange policy and the docs are all derived from this.
import { defineTopology } from './define-topology.js';

export const airlockTopology = defineTopology({
  zones: [
    {
      name: 'edge',
      kind: 'edge',
      purpose: 'The only published port: clients reach the gateway and nothing else.',
    },
    { name: 'core', kind: 'trusted', purpose: 'Business APIs behind the gateway.' },
    {
      name: 'sandbox',
      kind: 'sandbox',
      purpose: 'Untrusted, high-risk processing (image decoding); no route to any other zone, no egress.',
    },
    {
      name: 'identity',
      kind: 'enclave',
      purpose: 'Token issuance, introspection, exchange and signing keys.',
      admits: ['gateway', 'orders', 'payments'],
    },
    {
      name: 'payments',
      kind: 'enclave',
      purpose: 'Charges and refunds; reachable only from orders.',
      admits: ['orders'],
    },
  ],
  services: [
    {
      name: 'gateway',
      port: 8080,
      zones: ['edge', 'core', 'sandbox'],
      purpose: 'Single entry point; phantom tokens.',
      holds:
        'Its workload key; cached single-audience JWTs of active users (minutes); clients’ opaque tokens in transit.',
      // A small young generation: most of the gateway's resident memory otherwise (apps/gateway/README.md).
      container: {
        persistsData: true,
        persistsOnlyWorkloadKey: true,
        nodeFlags: ['--max-semi-space-size=2'],
      },
    },
    {
      name: 'auth',
      port: 8081,
      zones: ['identity'],
      purpose: 'OAuth 2.1 authorization server.',
      holds: 'Token-signing private keys; password hashes; sessions, grants and opaque tokens (hashed ids).',
      container: { persistsData: true, memoryMb: 384 },
    },
    {
      name: 'orders',
      port: 8082,
      zones: ['core'],
      purpose: 'Catalog and orders of the signed-in user.',
      holds: 'Its workload key; every user’s orders; JWTs for orders and payments of the users it serves.',
      container: { persistsData: true },
    },
    {
      name: 'payments',
      port: 8083,
      zones: ['payments'],
      purpose: 'Idempotent charges and refunds.',
      holds:
        'Charges and refunds (no card data: a fake payment-method reference); JWTs addressed to payments.',
      container: { persistsData: true },
    },
    {
      name: 'image-processor',
      port: 8084,
      zones: ['sandbox'],
      purpose: 'Re-encodes uploaded images.',
      holds: 'Nothing secret: uploaded images in memory, and JWTs addressed to image-processor.',
      // Nothing persistent: a compromised sandbox has no writable place that outlives the container. More
      // memory for decoding, within sharp's pixel limits.
      container: { memoryMb: 512 },
    },
    {
      name: 'web',
      port: 8086,
      // Beside the gateway, not behind it in core: it is a client of the API (it holds users' opaque tokens, never
      // a JWT) and reaches nothing but the gateway, which is also its only way in.
      zones: ['edge'],
      purpose:
        'The web shop and its backend-for-frontend: tokens stay server side, the browser gets a cookie.',
      holds:
        'Its workload key (a confidential OAuth client); signed-in users’ opaque access and refresh tokens (in memory).',
      // Its workload key lives in its data volume; its sessions are in memory, so it runs as one replica.
      container: { persistsData: true },
    },
  ],
  calls: [
    {
      from: 'gateway',
      to: 'auth',
      as: 'public',
      why: 'Relays the login flow, discovery, JWKS, code exchange, refresh and revocation for clients.',
      routes: [
        { method: 'GET', path: '/auth/.well-known/openid-configuration' },
        { method: 'GET', path: '/auth/jwks' },
        { method: 'GET', path: '/auth/authorize' },
        { method: 'GET', path: '/auth/authorize/:uid' },
        { method: 'GET', path: '/auth/interaction/:uid' },
        { method: 'POST', path: '/auth/interaction/:uid/login' },
        { method: 'POST', path: '/auth/token' },
        { method: 'POST', path: '/auth/token/revocation' },
      ],
    },
    {
      from: 'gateway',
      to: 'auth',
      as: 'service',
      why: 'Resolves opaque client tokens (introspection) and exchanges them for single-audience JWTs.',
      routes: [
        { method: 'POST', path: '/auth/token/introspection' },
        { method: 'POST', path: '/auth/token' },
      ],
    },
    {
      from: 'gateway',
      to: 'orders',
      as: 'user',
      why: 'Forwards the signed-in user’s catalog and order requests.',
      routes: [
        { method: 'GET', path: '/catalog', scopes: ['orders'] },
        { method: 'GET', path: '/orders', scopes: ['orders'] },
        { method: 'POST', path: '/orders', scopes: ['orders'] },
        { method: 'GET', path: '/orders/:id', scopes: ['orders'] },
        { method: 'POST', path: '/orders/:id/pay', scopes: ['orders'], intent: 'charge' },
        { method: 'GET', path: '/admin/orders', scopes: ['orders', 'admin'] },
        {
          method: 'POST',
          path: '/admin/orders/:id/refund',
          scopes: ['orders', 'admin'],
          intent: 'refund',
        },
      ],
      // The user's own ask, on the one request that makes it: orders can charge (refund) an order only when a
      // user (an admin) asked to, once, within these seconds; the ordinary cached token carries no intent.
      conveysIntent: { detailsType: 'airlock_intent', tokenLifetimeSeconds: 30 },
    },
    {
      from: 'gateway',
      to: 'image-processor',
      as: 'user',
      why: 'Forwards the signed-in user’s image uploads into the sandbox.',
      routes: [{ method: 'POST', path: '/images', scopes: ['images'], upload: true }],
    },
    {
      from: 'orders',
      to: 'auth',
      as: 'service',
      why: 'Exchanges the user’s orders token for one whose audience is payments.',
      routes: [{ method: 'POST', path: '/auth/token' }],
    },
    {
      from: 'orders',
      to: 'auth',
      as: 'public',
      why: 'Fetches the signing keys that verify incoming tokens.',
      routes: [{ method: 'GET', path: '/auth/jwks' }],
    },
    {
      from: 'payments',
      to: 'auth',
      as: 'public',
      why: 'Fetches the signing keys that verify incoming tokens.',
      routes: [{ method: 'GET', path: '/auth/jwks' }],
    },
    {
      from: 'orders',
      to: 'payments',
      as: 'user',
      why: 'Charges and refunds an order on behalf of its owner (refunds: admins only).',
      routes: [
        { method: 'POST', path: '/charges', scopes: ['orders'], operation: 'charge' },
        { method: 'POST', path: '/refunds', scopes: ['admin'], operation: 'refund' },
      ],
      // A payments token is worth one charge or refund of one object for one amount, once, for seconds.
      bindsOperation: { detailsType: 'airlock_payment', tokenLifetimeSeconds: 30 },
    },
    {
      from: 'image-processor',
      to: 'gateway',
      as: 'public',
      why: 'Fetches the signing keys through the gateway, the only service the sandbox can reach.',
      routes: [{ method: 'GET', path: '/auth/jwks' }],
    },
    {
      from: 'gateway',
      to: 'web',
      as: 'public',
      why: 'Serves the shop and its backend-for-frontend to browsers; the session cookie passes, no token does.',
      routes: [
        { method: 'GET', path: '/' },
        { method: 'GET', path: '/assets/:file' },
        { method: 'GET', path: '/openapi.json' },
        { method: 'GET', path: '/callback' },
        { method: 'GET', path: '/bff/sign-in' },
        { method: 'GET', path: '/bff/session' },
        { method: 'POST', path: '/bff/sign-out' },
        { method: 'GET', path: '/bff/api/catalog' },
        { method: 'GET', path: '/bff/api/orders' },
        { method: 'POST', path: '/bff/api/orders' },
        { method: 'GET', path: '/bff/api/orders/:id' },
        { method: 'POST', path: '/bff/api/orders/:id/pay' },
        { method: 'POST', path: '/bff/api/images', upload: true },
      ],
    },
    {
      from: 'web',
      to: 'gateway',
      as: 'user',
      why: 'Calls the API on the signed-in browser user’s behalf with the opaque token it keeps for them.',
      routes: [
        { method: 'GET', path: '/api/catalog' },
        { method: 'GET', path: '/api/orders' },
        { method: 'POST', path: '/api/orders' },
        { method: 'GET', path: '/api/orders/:id' },
        { method: 'POST', path: '/api/orders/:id/pay' },
        { method: 'POST', path: '/api/images', upload: true },
      ],
    },
    {
      from: 'web',
      to: 'gateway',
      as: 'public',
      why: 'Redeems codes, refreshes and revokes at auth as a confidential client (private_key_jwt), via the edge; checks ID tokens.',
      routes: [
        { method: 'GET', path: '/auth/jwks' },
        { method: 'POST', path: '/auth/token' },
        { method: 'POST', path: '/auth/token/revocation' },
      ],
    },
  ],
  edgeRoutes: [
    { prefix: '/auth', to: 'auth', upstreamPrefix: '/auth', as: 'public' },
    { prefix: '/api/catalog', to: 'orders', upstreamPrefix: '/catalog', as: 'user' },
    { prefix: '/api/orders', to: 'orders', upstreamPrefix: '/orders', as: 'user' },
    { prefix: '/api/admin', to: 'orders', upstreamPrefix: '/admin', as: 'user' },
    { prefix: '/api/images', to: 'image-processor', upstreamPrefix: '/images', as: 'user' },
    // Everything no longer prefix takes: the web shop (the longest prefix wins, so /api and /auth stay as above).
    { prefix: '/', to: 'web', upstreamPrefix: '/', as: 'public' },
  ],
  // In the container stack; locally every service keeps its embedded default (SQLite, in-memory limits) unless
  // started with --shared-state (docs/adr/0007, 0008).
  stores: [
    {
      name: 'postgres',
      engine: 'postgresql',
      port: 5432,
      sharing: 'per-service',
      usedBy: ['orders', 'payments', 'auth'],
      purpose: 'The database of each service that keeps records its replicas share.',
      holds:
        'One service’s records (orders; charges and refunds; auth’s sessions, grants and hashed token ids) and that service’s role.',
    },
    {
      name: 'redis',
      engine: 'redis',
      port: 6379,
      sharing: 'shared',
      usedBy: ['gateway', 'auth'],
      purpose: 'Rate and login limits, revocation fan-out and negative results shared by all replicas.',
      holds:
        'Limit counters keyed by client address or token hash, hashes of revoked and inactive tokens; no token, no JWT.',
    },
  ],
});
