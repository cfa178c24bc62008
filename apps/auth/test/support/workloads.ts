// The services' side of the tests: each gets its own workload key pair in the server's data folder (as it
// would at its first start) and calls auth with private_key_jwt client assertions signed by it.
import {
  createClientAssertion,
  ACCESS_TOKEN_TYPE,
  ensureWorkloadKeyPair,
  TOKEN_EXCHANGE_GRANT,
  type WorkloadKeyPair,
} from '@airlock/workload-identity';
import { airlockTopology, issuerServiceOf } from '@airlock/topology';

import type { RunningAuth } from './auth-server.js';

/** Every service of the topology but auth itself: each has a workload key and may try to authenticate. */
export const SERVICES: readonly string[] = airlockTopology.services
  .map((service) => service.name)
  .filter((name) => name !== issuerServiceOf(airlockTopology).name);
export type Service = string;

export interface Workloads {
  readonly issuer: string;
  /**
   * Where the workloads send their requests, when not to the issuer itself: one auth replica's own origin plus
   * auth's prefix (replicas share the issuer, which client assertions name as their audience).
   */
  readonly endpoint?: string;
  readonly keys: Readonly<Record<Service, WorkloadKeyPair | undefined>>;
}

export async function setUpWorkloads(server: Pick<RunningAuth, 'issuer' | 'dataDir'>): Promise<Workloads> {
  const pairs = await Promise.all(
    SERVICES.map((service) => ensureWorkloadKeyPair({ dataDir: server.dataDir, service })),
  );
  const keys = Object.fromEntries(SERVICES.map((service, index) => [service, pairs[index]])) as Record<
    Service,
    WorkloadKeyPair | undefined
  >;
  return { issuer: server.issuer, keys };
}

/** The workload key pair of a client service; throws for a name that is not one. */
/**
 * What orders sends to obtain a payments token: the one charge it is about to make (RFC 9396), as JSON. A payments
 * token is bound to one operation (issue 11, finding 7); tests that only need one to exist ask for this charge.
 */
export function chargeDetails(
  overrides: Readonly<Record<string, unknown>> = {},
  identifier = CHARGED_ORDER,
): string {
  return JSON.stringify([
    { type: 'airlock_payment', actions: ['charge'], identifier, amount: 2599, currency: 'EUR', ...overrides },
  ]);
}

/** The order chargeDetails() charges: the object of the intent a payments token for it is redeemed against. */
export const CHARGED_ORDER = 'a1b2c3d4-0000-4000-8000-000000000001';

/**
 * What the gateway sends on a request that conveys a user's intent (`charge` or `refund` of one order), as JSON:
 * the orders token it obtains then carries it, and orders can redeem it once for a payments token.
 */
export function intentDetails(action = 'charge', identifier = CHARGED_ORDER): string {
  return JSON.stringify([{ type: 'airlock_intent', actions: [action], identifier }]);
}

export function keyOf(workloads: Workloads, service: Service): WorkloadKeyPair {
  const pair = workloads.keys[service];
  if (pair === undefined)
    throw new Error(`no workload key for ${service}: not a client service of the topology`);
  return pair;
}

export async function assertionFor(
  workloads: Workloads,
  service: Service,
  audience = workloads.issuer,
): Promise<string> {
  const pair = workloads.keys[service];
  if (pair === undefined)
    throw new Error(`no workload key for ${service}: not a client service of the topology`);
  const { privateKey, kid } = pair;
  return createClientAssertion({ service, privateKey, kid, audience });
}

export async function clientAuthFields(
  workloads: Workloads,
  service: Service,
): Promise<Record<string, string>> {
  return {
    client_id: service,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: await assertionFor(workloads, service),
  };
}

export interface FormResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Headers;
}

export async function postForm(url: string, fields: Readonly<Record<string, string>>): Promise<FormResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(fields).toString(),
  });
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { raw: text };
  }
  return { status: response.status, body, headers: response.headers };
}

export async function introspectAs(
  workloads: Workloads,
  service: Service,
  token: string,
): Promise<FormResponse> {
  return postForm(`${workloads.endpoint ?? workloads.issuer}/token/introspection`, {
    ...(await clientAuthFields(workloads, service)),
    token,
  });
}

/** The introspection body as the gateway sees it; throws when the gateway itself is refused. */
export async function introspect(
  workloads: Workloads,
  service: Service,
  token: string,
): Promise<Record<string, unknown>> {
  const { status, body } = await introspectAs(workloads, service, token);
  if (status !== 200) throw new Error(`introspection answered ${status}: ${JSON.stringify(body)}`);
  return body;
}

const TOKEN_EXCHANGE = TOKEN_EXCHANGE_GRANT;
export { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE };

export async function exchangeAs(
  workloads: Workloads,
  service: Service,
  fields: Readonly<Record<string, string>>,
): Promise<FormResponse> {
  return postForm(`${workloads.endpoint ?? workloads.issuer}/token`, {
    grant_type: TOKEN_EXCHANGE,
    subject_token_type: ACCESS_TOKEN_TYPE,
    ...(await clientAuthFields(workloads, service)),
    ...fields,
  });
}
