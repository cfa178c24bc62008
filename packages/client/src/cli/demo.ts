#!/usr/bin/env node
// `./airlock demo`: walks through Airlock's controls against the running local stack and says, step by step,
// what each one did and which pattern it shows. Every step checks its expectation; the demo exits non-zero
// when one does not hold, so it doubles as a smoke test of the stack. `--containers` runs it against the zoned
// stack in Docker (`./airlock stack:up`), where the compromised-service step runs inside the containers.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createClientAssertion, ensureWorkloadKeyPair, tokenExchangeForm } from '@airlock/workload-identity';
import {
  CONNECT_TO_ORDERS,
  demoPasswordsFromContainer,
  REPLAY_IMAGE_TOKEN_AT_ORDERS,
  runInContainer,
} from '../container-stack.js';
import { makeDemoPng } from '../demo-image.js';
import { passwordOf, readDemoPasswords } from '../demo-passwords.js';
import { discoverPublicClient, revokeToken, signInHeadless } from '../public-client.js';
import { startLoopbackCallback } from '../loopback-callback.js';

const REVOCATION_WAIT_LIMIT_SECONDS = 45;

const { values } = parseArgs({
  options: {
    gateway: { type: 'string', default: process.env.AIRLOCK_GATEWAY_URL ?? 'http://127.0.0.1:8080' },
    auth: { type: 'string', default: process.env.AIRLOCK_AUTH_URL ?? 'http://127.0.0.1:8081' },
    orders: { type: 'string', default: process.env.AIRLOCK_ORDERS_URL ?? 'http://127.0.0.1:8082' },
    'data-dir': { type: 'string', default: process.env.AIRLOCK_DATA_DIR ?? join(process.cwd(), '.data') },
    containers: { type: 'boolean', default: false },
  },
});
const gateway = values.gateway;
// Each demo user signs in with its own password (issue 11): alice's would not sign anyone in as bob.
const override = process.env.AIRLOCK_DEMO_PASSWORD;
const passwords =
  override !== undefined
    ? { alice: override, bob: override }
    : values.containers
      ? demoPasswordsFromContainer()
      : await readDemoPasswords(values['data-dir']);

let failures = 0;
let stepNumber = 0;

function step(title: string, pattern: string): void {
  stepNumber += 1;
  console.log(`\n${stepNumber}. ${title}\n   Pattern: ${pattern}`);
}

function check(ok: boolean, observed: string): void {
  console.log(`   ${ok ? 'OK  ' : 'FAIL'} ${observed}`);
  if (!ok) failures += 1;
}

interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Headers;
}

async function call(
  base: string,
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiAnswer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;

const client = await discoverPublicClient(`${gateway}/auth`);
const loopback = await startLoopbackCallback();
try {
  step(
    'Alice signs in through the gateway with authorization code + PKCE',
    'OAuth 2.1 public client; the client receives an opaque reference token, never a JWT (phantom token).',
  );
  const alice = (
    await signInHeadless(client, {
      redirectUri: loopback.redirectUri,
      username: 'alice',
      password: passwordOf(passwords, 'alice'),
    })
  ).tokens.access_token;
  check(alice.split('.').length !== 3, `access token is opaque (${alice.length} characters, not a JWT)`);

  step(
    'Alice reads the catalog and creates an order',
    'The gateway trades the opaque token at auth for a short-lived JWT whose only audience is orders.',
  );
  const catalog = await call(gateway, 'GET', '/api/catalog', alice);
  const firstSku = field(Array.isArray(catalog.body) ? catalog.body[0] : undefined, 'sku');
  check(catalog.status === 200 && typeof firstSku === 'string', `GET /api/catalog -> ${catalog.status}`);
  const created = await call(gateway, 'POST', '/api/orders', alice, {
    items: [{ sku: firstSku, quantity: 2 }],
  });
  const orderId = String(field(created.body, 'id'));
  check(
    created.status === 201,
    `POST /api/orders -> ${created.status}, total ${String(field(created.body, 'total'))} (priced by the server)`,
  );
  const tampered = await call(gateway, 'POST', '/api/orders', alice, {
    items: [{ sku: firstSku, quantity: 1 }],
    total: 1,
  });
  check(
    tampered.status === 400,
    `a client-set total is refused -> ${tampered.status} (OWASP API3, property level)`,
  );

  step(
    'Alice pays the order',
    'orders exchanges its token at auth for one with aud=payments and act={sub:"orders"}; payments accepts only orders.',
  );
  const paid = await call(gateway, 'POST', `/api/orders/${orderId}/pay`, alice, undefined, {
    'idempotency-key': `demo-${randomUUID()}`,
  });
  check(
    paid.status === 200 && field(paid.body, 'status') === 'paid',
    `POST /api/orders/:id/pay -> ${paid.status}, status ${String(field(paid.body, 'status'))}`,
  );

  step(
    'Bob tries to read Alice’s order',
    'Object-level authorization in the service that owns the data: another user’s order does not exist for you (OWASP API1).',
  );
  const bob = (
    await signInHeadless(client, {
      redirectUri: loopback.redirectUri,
      username: 'bob',
      password: passwordOf(passwords, 'bob'),
    })
  ).tokens.access_token;
  const stolen = await call(gateway, 'GET', `/api/orders/${orderId}`, bob);
  check(stolen.status === 404, `GET /api/orders/<alice's order> as bob -> ${stolen.status}`);

  step(
    'Someone presents a JWT at the edge',
    'Clients only ever hold opaque tokens: a JWT at the gateway is refused before any call to auth.',
  );
  const forged = `${b64({ alg: 'ES256', typ: 'at+jwt' })}.${b64({ sub: 'alice', aud: 'orders' })}.${'A'.repeat(86)}`;
  const atEdge = await call(gateway, 'GET', '/api/orders', forged);
  check(atEdge.status === 401, `GET /api/orders with a JWT -> ${atEdge.status}`);

  step(
    'A compromised image processor replays the token it was sent, directly at orders',
    'One audience per token: a JWT minted for image-processor is worthless anywhere else.',
  );
  if (values.containers) {
    const sandboxed = await runInContainer('image-processor', CONNECT_TO_ORDERS, {
      host: 'orders',
      port: 8082,
    });
    const outcome = String(field(sandboxed, 'outcome'));
    check(
      outcome !== 'connected',
      `from inside image-processor, connecting to orders:8082 -> ${outcome} (no shared network)`,
    );
    console.log(
      '   (The token alone fails too: the gateway, which can reach orders, obtains the token image-processor',
    );
    console.log('    receives with every upload and presents it to orders.)');
    const replayedInside = await runInContainer('gateway', REPLAY_IMAGE_TOKEN_AT_ORDERS, {
      subjectToken: alice,
      issuer: `${gateway}/auth`,
    });
    check(
      field(replayedInside, 'exchange') === 200 && field(replayedInside, 'orders') === 401,
      `GET orders:/orders with an aud=image-processor JWT -> ${String(field(replayedInside, 'orders'))}`,
    );
  } else {
    console.log(
      '   (The local stack has no networks; the demo borrows the gateway’s workload key from the data folder to',
    );
    console.log(
      '    obtain exactly the token image-processor receives with every upload, then sends it to orders.)',
    );
    const imageToken = await exchangeAsGateway(alice, 'image-processor');
    const replayed = await call(values.orders, 'GET', '/orders', imageToken);
    check(
      replayed.status === 401,
      `GET orders:/orders with an aud=image-processor JWT -> ${replayed.status}`,
    );
  }

  step(
    'Alice uploads an image',
    'The sandboxed image processor checks magic bytes and pixel limits, re-encodes, and strips metadata.',
  );
  const upload = await fetch(`${gateway}/api/images`, {
    method: 'POST',
    headers: { authorization: `Bearer ${alice}`, 'content-type': 'image/png' },
    body: makeDemoPng(),
    signal: AbortSignal.timeout(10_000),
  });
  const image = await upload.json();
  const thumbnail = field(image, 'thumbnail');
  check(
    upload.status === 200,
    `POST /api/images -> ${upload.status}, thumbnail ${String(field(thumbnail, 'contentType'))} ${String(field(thumbnail, 'width'))}x${String(field(thumbnail, 'height'))}`,
  );
  const disguised = await fetch(`${gateway}/api/images`, {
    method: 'POST',
    headers: { authorization: `Bearer ${alice}`, 'content-type': 'image/png' },
    body: '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    signal: AbortSignal.timeout(10_000),
  });
  check(disguised.status === 415, `an SVG sent as image/png -> ${disguised.status}`);

  step(
    'Alice’s token is revoked',
    'Revocation at auth reaches the gateway within its cache bound (the maximum cache TTL).',
  );
  await revokeToken(client, alice);
  const revokedAt = Date.now();
  let refusedAfter: number | undefined;
  while (Date.now() - revokedAt < REVOCATION_WAIT_LIMIT_SECONDS * 1000) {
    const answer = await call(gateway, 'GET', '/api/orders', alice);
    if (answer.status === 401) {
      refusedAfter = (Date.now() - revokedAt) / 1000;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  check(
    refusedAfter !== undefined,
    refusedAfter === undefined
      ? `still accepted after ${REVOCATION_WAIT_LIMIT_SECONDS} s`
      : `refused ${refusedAfter.toFixed(1)} s after revocation`,
  );
} finally {
  await loopback.close();
}

console.log(failures === 0 ? '\nEvery control held.' : `\n${failures} check(s) failed.`);
process.exitCode = failures === 0 ? 0 : 1;

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function exchangeAsGateway(subjectToken: string, audience: string): Promise<string> {
  const issuer = `${gateway}/auth`;
  const key = await ensureWorkloadKeyPair({ dataDir: values['data-dir'], service: 'gateway' });
  const assertion = await createClientAssertion({
    service: 'gateway',
    privateKey: key.privateKey,
    kid: key.kid,
    audience: issuer,
  });
  const response = await fetch(`${values.auth}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: tokenExchangeForm({ service: 'gateway', assertion, subjectToken, audience }),
    signal: AbortSignal.timeout(5_000),
  });
  const token = field(await response.json(), 'access_token');
  if (response.status !== 200 || typeof token !== 'string')
    throw new Error(`token exchange failed: ${response.status}`);
  return token;
}
