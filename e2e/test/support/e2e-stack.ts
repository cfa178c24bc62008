// Starts every service of the topology as local processes on free loopback ports with a data folder and a demo
// password of the suite's own, and gives the suites what a client (and an attacker) would use against it.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverPublicClient, signInHeadless } from '@airlock/client/public-client';
import { startLoopbackCallback, type LoopbackCallback } from '@airlock/client/loopback-callback';
import {
  freePort,
  START_ORDER,
  startLocalStack,
  type LocalStack,
  type ServiceName,
} from '@airlock/local-stack';
import { startSharedStateStack } from '@airlock/local-stack/shared-state-stack';
import { createAnswerValidator, readCommittedDocument } from '@airlock/openapi';
import { airlockTopology, issuerServiceOf, localIssuerOf } from '@airlock/topology';
import { createClientAssertion, ensureWorkloadKeyPair, tokenExchangeForm } from '@airlock/workload-identity';

export const ROOT_DIR = fileURLToPath(new URL('../../../', import.meta.url));
/**
 * Every answer `call` gets from an edge must be as the committed OpenAPI document describes it (its status, and
 * its JSON body against the response schema); `./airlock check` keeps that document equal to the sources.
 */
const answers = createAnswerValidator(readCommittedDocument());
const edgeOrigins = new Set<string>();

/** Short enough that the revocation bound is measurable in a test, long enough that hits are hits. */
export const CACHE_MAX_TTL_SECONDS = 2;

export interface E2eStack {
  readonly stack: LocalStack;
  readonly urls: LocalStack['urls'];
  /** The edge's origin, where clients call. */
  readonly edgeUrl: string;
  /** A service's loopback origin, where a compromised peer would call it directly. */
  urlOf(service: string): string;
  readonly dataDir: string;
  readonly password: string;
  readonly output: string[];
  /** Signs in through the gateway like the CLI does and returns the opaque access token. */
  signIn(username: string, scope?: string): Promise<string>;
  /**
   * Token exchange at auth as `service` with its own workload key, as the gateway and orders do; `request`
   * narrows the scope or binds the token to one operation (authorization_details), as orders does for payments.
   */
  exchangeAs(
    service: string,
    subjectToken: string,
    audience: string,
    request?: { scope?: string; authorizationDetails?: readonly Readonly<Record<string, unknown>>[] },
  ): Promise<Response>;
  close(): Promise<void>;
}

export interface E2eStackOptions {
  /**
   * Run the stack as `./airlock start --shared-state` does: PostgreSQL and Redis on loopback (in the data folder),
   * two replicas of the services that keep their state there, each pair on one port.
   */
  readonly sharedState?: boolean;
}

export async function startE2eStack(
  env: Readonly<Record<string, string>> = {},
  serviceEnv: Readonly<Partial<Record<ServiceName, Readonly<Record<string, string>>>>> = {},
  options: E2eStackOptions = {},
): Promise<E2eStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'airlock-e2e-'));
  const password = randomBytes(18).toString('base64url');
  const ports: Partial<Record<ServiceName, number>> = {};
  for (const service of START_ORDER) ports[service] = await freePort();
  const output: string[] = [];
  const stackOptions = {
    rootDir: ROOT_DIR,
    dataDir,
    ports,
    env: {
      AIRLOCK_DEMO_PASSWORD: password,
      AIRLOCK_GATEWAY_CACHE_MAX_TTL_SECONDS: String(CACHE_MAX_TTL_SECONDS),
      AIRLOCK_GATEWAY_NEGATIVE_CACHE_TTL_SECONDS: '1',
      // The suites send bursts (50 concurrent payments, each on a connection of its own) from one address with
      // one token: above the gateway's per-client connection cap (32), which apps/gateway tests on its own.
      AIRLOCK_GATEWAY_RATE_IP_BURST: '1000',
      AIRLOCK_GATEWAY_RATE_TOKEN_BURST: '1000',
      AIRLOCK_GATEWAY_MAX_CONNECTIONS_PER_CLIENT: '1000',
      LOG_LEVEL: 'info',
      ...env,
    },
    onOutput: (service: string, line: string) => output.push(`[${service}] ${line}`),
  };
  const launched = await (
    options.sharedState === true
      ? startSharedStateStack({
          ...stackOptions,
          install: () =>
            Promise.reject(
              new Error('PostgreSQL or Redis is missing: run scripts/ensure-system-packages.sh'),
            ),
        })
      : startLocalStack({ ...stackOptions, serviceEnv }).then((stack) => ({
          stack,
          stop: () => stack.stop(),
        }))
  ).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw withOutputTail(error, output);
  });
  const { stack } = launched;
  edgeOrigins.add(new URL(stack.edgeUrl).origin);
  const issuer = localIssuerOf(airlockTopology, Number(new URL(stack.edgeUrl).port));
  const client = await discoverPublicClient(issuer);
  const callbacks: LoopbackCallback[] = [];

  return {
    stack,
    urls: stack.urls,
    edgeUrl: stack.edgeUrl,
    urlOf: (service) => stack.urlOf(service),
    dataDir,
    password,
    output,
    signIn: async (username, scope = 'openid orders images') => {
      const callback = await startLoopbackCallback();
      callbacks.push(callback);
      const { tokens } = await signInHeadless(client, {
        redirectUri: callback.redirectUri,
        username,
        password,
        scope,
      });
      return tokens.access_token;
    },
    exchangeAs: async (service, subjectToken, audience, request = {}) => {
      const key = await ensureWorkloadKeyPair({ dataDir, service });
      const assertion = await createClientAssertion({
        service,
        privateKey: key.privateKey,
        kid: key.kid,
        audience: issuer,
      });
      return fetch(`${stack.urlOf(issuerServiceOf(airlockTopology).name)}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: tokenExchangeForm({
          service,
          assertion,
          subjectToken,
          audience,
          ...request,
        }),
      });
    },
    close: async () => {
      edgeOrigins.delete(new URL(stack.edgeUrl).origin);
      await Promise.all(callbacks.map((callback) => callback.close()));
      await launched.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: unknown;
}

/** One HTTP call with a bearer token; the answer's body parsed when it is JSON. */
export async function call(
  url: string,
  token: string | undefined,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const isBytes = init.body instanceof Uint8Array;
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(init.body === undefined || isBytes ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    ...(init.body === undefined
      ? {}
      : { body: isBytes ? (init.body as Uint8Array) : JSON.stringify(init.body) }),
  });
  const text = await response.text();
  const body = parsedBody(text);
  const problems = answerProblems({
    method: init.method ?? 'GET',
    url,
    status: response.status,
    contentType: response.headers.get('content-type') ?? undefined,
    text,
  });
  if (problems.length > 0) {
    throw new Error(`the answer is not as the OpenAPI document describes it:\n${problems.join('\n')}`);
  }
  return { status: response.status, headers: response.headers, text, body };
}

function parsedBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // not JSON
  }
}

/**
 * What is wrong with an answer from a running stack's edge, against the committed OpenAPI document ([] when it
 * is as described, or when the URL is not an edge of a stack this process started). `call` checks every answer
 * with it; the browser suite checks what the page received.
 */
export function answerProblems(answer: {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly contentType: string | undefined;
  readonly text: string;
}): string[] {
  const target = new URL(answer.url);
  if (!edgeOrigins.has(target.origin)) return [];
  return answers.problemsOf({
    method: answer.method,
    path: target.pathname,
    status: answer.status,
    contentType: answer.contentType,
    body: parsedBody(answer.text),
  });
}

/** Orders one of `sku` through the gateway as the holder of `token`; returns the new order's id. */
export async function orderOne(edgeUrl: string, token: string, sku: string): Promise<string> {
  const created = await call(`${edgeUrl}/api/orders`, token, {
    method: 'POST',
    body: { items: [{ sku, quantity: 1 }] },
  });
  if (created.status !== 201) throw new Error(`creating an order answered ${String(created.status)}`);
  return String(fieldOf(created.body, 'id'));
}

export function fieldOf(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** Resident memory of a stack process in bytes (Linux /proc), for suites that bound what an attack costs. */
export function rssOf(pid: number | undefined): number {
  if (pid === undefined) throw new Error('the service is not running');
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const kilobytes = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (kilobytes === undefined) throw new Error('no VmRSS');
  return Number(kilobytes) * 1024;
}

/** A stack that did not start says why in its services' output: the failure carries the last lines of it. */
function withOutputTail(error: unknown, output: readonly string[]): unknown {
  if (!(error instanceof Error)) return error;
  error.message += `\n--- the last lines the services printed ---\n${output.slice(-30).join('\n')}`;
  return error;
}
