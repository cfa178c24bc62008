// Proof 2: an attacker runs code in the image-processor (the talk's vulnerable image decoder). From there they
// cannot resolve or reach auth, orders or payments, have no way to the host, find no credential, and the one
// token they get legitimately (the aud=image-processor JWT that comes with every upload) works nowhere else.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { airlockTopology, networksOf } from '@airlock/topology';
import { EdgeClient } from './support/edge-client.js';
import {
  EXCHANGE_AS_GATEWAY,
  HTTP_REQUEST,
  SANDBOX_ATTACK,
  type SandboxAttackReport,
} from './support/in-container-scripts.js';
import { markdownTable, recordFinding } from './support/proof-report.js';
import { nodeIn, serviceOf } from './support/stack-state.js';
import { tinyPng } from './support/tiny-png.js';
import { useStack } from './support/use-stack.js';

interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** The compromised service: the talk's vulnerable image decoder. */
const SANDBOXED = 'image-processor';
/** Every service the sandbox shares no network with: what a breach of it must not reach. */
const NEIGHBOURS = airlockTopology.services
  .map((service) => service.name)
  .filter(
    (name) =>
      name !== SANDBOXED &&
      !networksOf(airlockTopology).some(
        (network) => network.members.includes(name) && network.members.includes(SANDBOXED),
      ),
  );
const failures: string[] = [];
const observed: string[] = [];
const stack = useStack();
let attack: SandboxAttackReport | undefined;
let imageToken: string | undefined;

function check(ok: boolean, failure: string): void {
  if (!ok) failures.push(failure);
}

beforeAll(async () => {
  const { services, networks, publishedPort } = stack.get();
  const sandbox = serviceOf(stack.get(), SANDBOXED);
  const addresses = NEIGHBOURS.flatMap((name) =>
    Object.entries(serviceOf(stack.get(), name).addresses).map(([zone, host]) => ({
      name,
      zone,
      host,
      port: serviceOf(stack.get(), name).port,
    })),
  );
  attack = await nodeIn<SandboxAttackReport>(sandbox, SANDBOX_ATTACK, {
    names: [...NEIGHBOURS, 'gateway'],
    addresses,
    hostGateway: networks.sandbox?.gateway,
    ports: [...new Set([...Object.values(services).map((service) => service.port), publishedPort])],
  });
}, 120_000);

afterAll(() => {
  const launchError = stack.launchError();
  if (launchError !== undefined) failures.push(`the stack did not start: ${launchError}`);
  if (attack !== undefined) {
    observed.unshift(
      'What code running in image-processor found:',
      '',
      markdownTable(
        ['probe', 'target', 'result'],
        [
          ...attack.resolved.map((r) => ['DNS A query (127.0.0.11)', r.name, String(r.answer)]),
          ...attack.looked.map((r) => ['getaddrinfo', r.name, String(r.answer)]),
          ...attack.connections.map((c) => [
            'TCP connect',
            `${c.name} ${c.host ?? ''}:${String(c.port)}${c.zone ? ` (${c.zone})` : ''}`,
            c.outcome ?? '?',
          ]),
          [
            'files scanned',
            `${attack.files} files`,
            attack.found.length === 0 ? 'no key, token, password or database file' : attack.found.join(', '),
          ],
          [
            'environment',
            'variables named like a secret or holding a JWT',
            attack.environment.length === 0 ? 'none' : attack.environment.join(', '),
          ],
          ...attack.mounts.map((m) => [
            'mount',
            m.target,
            `${m.type}${m.writable ? ', writable' : ', read-only'}`,
          ]),
        ],
      ),
      '',
    );
  }
  recordFinding({
    id: 'compromised-image-processor',
    claim:
      'Code running in image-processor cannot resolve or reach auth, orders or payments, cannot reach the host, ' +
      'holds no credential, and the aud=image-processor token it receives is refused everywhere else (401).',
    method:
      '`docker exec` of a Node attack script in the image-processor container (as its user 65532): DNS queries and ' +
      'getaddrinfo for the neighbours, TCP connects to every address of auth, orders and payments and to the host ' +
      '(the sandbox network’s gateway) on every service port, a walk of the whole filesystem and environment. ' +
      'Then the JWT the gateway sends image-processor with each upload (minted by the same exchange, with the ' +
      'gateway’s key, inside the gateway’s container) is replayed at orders and payments from containers that ' +
      'can reach them, and at the gateway from the sandbox.',
    observed: observed.join('\n'),
    failures,
  });
});

describe('a compromised image-processor', () => {
  it('cannot resolve the other zones’ services (only the gateway)', () => {
    const report = attack;
    if (report === undefined) throw new Error('the attack did not run');
    for (const result of [...report.resolved, ...report.looked]) {
      const resolvedSomething =
        Array.isArray(result.answer) || /^\d+\.\d+\.\d+\.\d+$/.test(String(result.answer));
      check(
        resolvedSomething === (result.name === 'gateway'),
        `${result.name} resolved to ${String(result.answer)}`,
      );
    }
    expect(report.resolved.filter((r) => r.name !== 'gateway' && Array.isArray(r.answer))).toEqual([]);
    expect(report.looked.filter((r) => r.name !== 'gateway' && /^\d/.test(String(r.answer)))).toEqual([]);
  });

  it('cannot connect to auth, orders or payments on any of their addresses, nor to the host', () => {
    const report = attack;
    if (report === undefined) throw new Error('the attack did not run');
    const open = report.connections.filter((c) => c.outcome === 'open');
    for (const connection of open)
      failures.push(`connected to ${connection.name} ${connection.host ?? ''}:${String(connection.port)}`);
    expect(open).toEqual([]);
  });

  it('finds no credential in its filesystem or environment, and nowhere to keep one', () => {
    const report = attack;
    if (report === undefined) throw new Error('the attack did not run');
    check(report.found.length === 0, `credential-looking files: ${report.found.join(', ')}`);
    check(report.environment.length === 0, `secret-looking variables: ${report.environment.join(', ')}`);
    const writable = report.mounts.filter((m) => m.writable && m.target !== '/tmp' && m.type !== 'tmpfs');
    check(writable.length === 0, `writable mounts: ${writable.map((m) => m.target).join(', ')}`);
    expect({ found: report.found, environment: report.environment, writable }).toEqual({
      found: [],
      environment: [],
      writable: [],
    });
  });

  it('holds a token that is refused by orders and payments with 401, and by the gateway from the sandbox', async () => {
    const current = stack.get();
    const client = new EdgeClient(current);
    const { accessToken } = await client.signIn('alice');
    const minted = await nodeIn<{ status: number; accessToken: string | null; error: string | null }>(
      serviceOf(current, 'gateway'),
      EXCHANGE_AS_GATEWAY,
      {
        subjectToken: accessToken,
        audience: 'image-processor',
        issuer: `${current.publicOrigin}/auth`,
        authUrl: `http://auth:${String(serviceOf(current, 'auth').port)}`,
        privateKeyFile: '/data/gateway/workload-key.private.jwk.json',
      },
    );
    imageToken = minted.accessToken ?? undefined;
    observed.push(
      `Exchange at auth for aud=image-processor, as the gateway: ${minted.status}${minted.error ? ` (${minted.error})` : ''}.`,
      '',
    );
    if (imageToken === undefined) {
      failures.push(
        `could not obtain the aud=image-processor token (${minted.status} ${minted.error ?? ''})`,
      );
      throw new Error('no image-processor token to replay');
    }
    const bearer = { authorization: `Bearer ${imageToken}` };
    const attempts: {
      from: string;
      what: string;
      url: string;
      method: string;
      expected: string;
      body?: Buffer;
      contentType?: string;
    }[] = [
      // The control: the token is genuine, and works where it is addressed.
      {
        from: 'gateway',
        what: 'upload to image-processor (its audience)',
        url: 'http://image-processor:8084/images',
        method: 'POST',
        expected: '2xx',
        body: tinyPng(),
        contentType: 'image/png',
      },
      {
        from: 'gateway',
        what: 'orders: list orders',
        url: 'http://orders:8082/orders',
        method: 'GET',
        expected: '401',
      },
      {
        from: 'gateway',
        what: 'orders: catalog',
        url: 'http://orders:8082/catalog',
        method: 'GET',
        expected: '401',
      },
      {
        from: 'orders',
        what: 'payments: charge',
        url: 'http://payments:8083/charges',
        method: 'POST',
        expected: '401',
        body: Buffer.from('{"orderId":"1","amount":1,"currency":"EUR"}'),
        contentType: 'application/json',
      },
      {
        from: 'image-processor',
        what: 'gateway edge: list orders',
        url: 'http://gateway:8080/api/orders',
        method: 'GET',
        expected: '401',
      },
    ];
    const rows: string[][] = [];
    for (const attempt of attempts) {
      const answer = await nodeIn<HttpAnswer>(serviceOf(current, attempt.from), HTTP_REQUEST, {
        url: attempt.url,
        method: attempt.method,
        headers: { ...bearer, ...(attempt.contentType ? { 'content-type': attempt.contentType } : {}) },
        bodyBase64: attempt.body?.toString('base64'),
      });
      const ok =
        attempt.expected === '2xx'
          ? answer.status >= 200 && answer.status < 300
          : String(answer.status) === attempt.expected;
      rows.push([
        attempt.from,
        `${attempt.method} ${attempt.url}`,
        attempt.what,
        attempt.expected,
        String(answer.status),
      ]);
      check(ok, `${attempt.what} from ${attempt.from}: ${answer.status}, expected ${attempt.expected}`);
    }
    observed.push(
      'The aud=image-processor JWT, replayed:',
      '',
      markdownTable(['from container', 'request', 'what', 'expected', 'observed'], rows),
      '',
    );
    expect(failures.filter((failure) => /expected/.test(failure))).toEqual([]);
  });
});
