// The services' side of the tests: each gets its own workload key pair in the server's data folder (as it
// would at its first start) and calls auth with private_key_jwt client assertions signed by it.
import {
  createClientAssertion,
  ensureWorkloadKeyPair,
  type WorkloadKeyPair,
} from '@airlock/workload-identity';
import type { RunningAuth } from './auth-server.js';

export const SERVICES = ['gateway', 'orders', 'payments', 'image-processor'] as const;
export type Service = (typeof SERVICES)[number];

export interface Workloads {
  readonly issuer: string;
  readonly keys: Readonly<Record<Service, WorkloadKeyPair>>;
}

export async function setUpWorkloads(server: Pick<RunningAuth, 'issuer' | 'dataDir'>): Promise<Workloads> {
  const pairs = await Promise.all(
    SERVICES.map((service) => ensureWorkloadKeyPair({ dataDir: server.dataDir, service })),
  );
  const keys = Object.fromEntries(SERVICES.map((service, index) => [service, pairs[index]])) as Record<
    Service,
    WorkloadKeyPair
  >;
  return { issuer: server.issuer, keys };
}

export async function assertionFor(
  workloads: Workloads,
  service: Service,
  audience = workloads.issuer,
): Promise<string> {
  const { privateKey, kid } = workloads.keys[service];
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
  return postForm(`${workloads.issuer}/token/introspection`, {
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

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

export async function exchangeAs(
  workloads: Workloads,
  service: Service,
  fields: Readonly<Record<string, string>>,
): Promise<FormResponse> {
  return postForm(`${workloads.issuer}/token`, {
    grant_type: TOKEN_EXCHANGE,
    subject_token_type: ACCESS_TOKEN_TYPE,
    ...(await clientAuthFields(workloads, service)),
    ...fields,
  });
}
