// Proof 6: the blast radius of each service. From inside each service's container, code that took it over tries
// what that service's code could do with what it holds: its networks (every other service's address and port,
// the host), its keys (its workload key: which audiences auth will mint for it), and the tokens it receives
// (captured on the wire during a normal user flow). Every observation is asserted against what the topology
// gives the service, so a change that widens a blast radius fails here. One stack for all services.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  airlockTopology,
  edgeFrontEndsOf,
  edgeService,
  issuerServiceOf,
  operationOfRoute,
  reachabilityOf,
  scopesOfAudience,
  tokenExchangeRules,
  type BoundOperation,
} from '@airlock/topology';
import { DATA_ROOT, WORKLOAD_KEYS_ROOT } from '../../src/stack.js';
import { decodeJwt, EdgeClient, type SignedIn } from './support/edge-client.js';
import { BLAST_RADIUS_ATTACK, HTTP_REQUEST } from './support/in-container-scripts.js';
import { markdownTable, recordFinding } from './support/proof-report.js';
import type { LaunchedService, LaunchedStack } from './support/stack-launcher.js';
import { nodeIn, serviceOf } from './support/stack-state.js';
import { tinyPng } from './support/tiny-png.js';
import { useStack } from './support/use-stack.js';
import { captureInternalZones, inSubnet, type Segment } from './support/wire-capture.js';

/** The longest an internal JWT lives (docs/threat-model.md, Assets: "at most 5 minutes"). */
const INTERNAL_JWT_MAX_SECONDS = 300;
const SERVICES = airlockTopology.services.map((service) => service.name);
const EDGE = edgeService(airlockTopology).name;
const ISSUER = issuerServiceOf(airlockTopology).name;
/** Services that receive clients' opaque tokens: the edge and the front ends beside it. */
const OPAQUE_HOLDERS = new Set([EDGE, ...edgeFrontEndsOf(airlockTopology).map((service) => service.name)]);
const RULES = tokenExchangeRules(airlockTopology);
/** The exchange that moves money (orders -> payments): bound to one operation. */
const BINDING_RULE = RULES.find((rule) => rule.binding !== undefined);
const REACHABLE = reachabilityOf(airlockTopology);

interface Row {
  readonly kind: 'reach' | 'holds' | 'mint' | 'token' | 'use';
  readonly target: string;
  readonly expected: string;
  readonly observed: string;
  readonly holds: boolean;
}
interface Exchanged {
  readonly label: string;
  readonly audience: string;
  readonly status: number;
  readonly error: string | null;
  readonly accessToken: string | null;
  readonly claims: Record<string, unknown> | null;
}
interface AttackReport {
  readonly ownKey: boolean;
  readonly connections: { name: string; network: string; host: string; port: number; outcome: string }[];
  readonly files: { path: string; exists: boolean; readable: boolean; detail: string }[];
  readonly exchanges: Exchanged[];
  readonly answers: { label: string; status: number; body: string }[];
}
interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}
interface ReceivedToken {
  readonly request: string;
  readonly token: string;
  readonly claims: Record<string, unknown>;
}
/** What a normal user flow left on the wire and at the edge, for the attacks to use. */
interface Flow {
  readonly alice: SignedIn;
  readonly carol: SignedIn;
  /** alice's order that she paid (through the edge), and one she did not. */
  readonly paidOrder: { id: string; total: number; currency: string };
  readonly unpaidOrder: { id: string; total: number; currency: string };
  readonly chargeId: string | undefined;
  readonly paymentMethod: string | undefined;
  readonly received: ReadonlyMap<string, ReceivedToken[]>;
  readonly steps: string[][];
  /** The payments token orders spent on alice's pay, replayed within its life (same charge; another order). */
  readonly replays: { readonly same: HttpAnswer; readonly otherOrder: HttpAnswer } | undefined;
}

const stack = useStack();
const rows = new Map<string, Row[]>(SERVICES.map((name) => [name, []]));
const notes = new Map<string, string[]>(SERVICES.map((name) => [name, []]));
let flow: Flow | undefined;
const attacks = new Map<string, AttackReport>();

function add(service: string, row: Row): void {
  rows.get(service)?.push(row);
}
function rowsOf(service: string): Row[] {
  return rows.get(service) ?? [];
}
function failuresOf(service: string): string[] {
  return rowsOf(service)
    .filter((row) => !row.holds)
    .map((row) => `${row.kind} ${row.target}: expected ${row.expected}, observed ${row.observed}`);
}
function currentFlow(): Flow {
  if (flow === undefined) throw new Error('the user flow did not run');
  return flow;
}
function attackOf(service: string): AttackReport {
  const report = attacks.get(service);
  if (report === undefined) throw new Error(`the attack from ${service} did not run`);
  return report;
}

/** The JWTs each service was sent in an Authorization header (each once), from the captured segments. */
function tokensReceived(current: LaunchedStack, segments: readonly Segment[]): Map<string, ReceivedToken[]> {
  const received = new Map<string, ReceivedToken[]>();
  for (const service of Object.values(current.services)) {
    const seen = new Set<string>();
    const tokens: ReceivedToken[] = [];
    for (const segment of segments) {
      if (segment.destinationPort !== service.port) continue;
      if (!Object.values(service.addresses).includes(segment.destination)) continue;
      const text = segment.payload.toString('latin1');
      const token = /\r\nauthorization: bearer ([A-Za-z0-9._-]+)/i.exec(text)?.[1];
      const request = /^([A-Z]+ \S+) HTTP\/1\.1/.exec(text)?.[1];
      const claims = token === undefined ? undefined : decodeJwt(token)?.claims;
      if (token === undefined || request === undefined || claims === undefined) continue;
      if (seen.has(`${request} ${token}`)) continue;
      seen.add(`${request} ${token}`);
      tokens.push({ request, token, claims });
    }
    received.set(service.name, tokens);
  }
  return received;
}

function orderOf(body: string): { id: string; total: number; currency: string } {
  const parsed = JSON.parse(body) as { id: string; total: number; currency: string };
  return { id: parsed.id, total: parsed.total, currency: parsed.currency };
}

function codeOf(body: string): string {
  return /"(?:code|error)":"([a-z_]+)"/.exec(body)?.[1] ?? '';
}

function lifetimeOf(claims: Record<string, unknown> | null | undefined): number | undefined {
  const { exp, iat } = claims ?? {};
  return typeof exp === 'number' && typeof iat === 'number' ? exp - iat : undefined;
}

function describeToken(claims: Record<string, unknown> | null | undefined): string {
  if (claims === null || claims === undefined) return 'no token';
  const act = (claims.act as { sub?: unknown } | undefined)?.sub;
  const details = claims.authorization_details;
  return [
    `aud=${String(claims.aud)}`,
    `sub=${String(claims.sub).slice(0, 12)}`,
    `scope=${typeof claims.scope === 'string' ? claims.scope : '(none)'}`,
    typeof act === 'string' ? `act=${act}` : '',
    `lives ${String(lifetimeOf(claims))} s`,
    details === undefined ? '' : `bound to ${JSON.stringify(details)}`,
  ]
    .filter((part) => part !== '')
    .join(', ');
}

/** The one operation a payments token is worth, as orders would ask for it (type and action from the topology). */
function paymentOperation(
  path: string,
  identifier: string,
  amount: number,
  currency: string,
): BoundOperation {
  const binding =
    BINDING_RULE === undefined
      ? undefined
      : operationOfRoute(airlockTopology, BINDING_RULE.audience, 'POST', path);
  if (binding === undefined) throw new Error(`the topology binds no operation to POST ${path}`);
  return { type: binding.detailsType, actions: [binding.operation], identifier, amount, currency };
}

/** A route of `service` that a user call reaches (the edge: an API route), with a concrete path. */
function userRouteOf(service: string): { method: string; path: string } | undefined {
  if (service === EDGE) return { method: 'GET', path: '/api/orders' };
  const route = airlockTopology.calls
    .filter((call) => call.to === service && call.as === 'user')
    .flatMap((call) => call.routes)[0];
  return route === undefined
    ? undefined
    : { method: route.method, path: route.path.replaceAll(/:\w+/g, randomUUID()) };
}

/** Where a service would ask auth for a token: auth itself when it can reach it, else through the edge. */
function tokenUrlOf(current: LaunchedStack, service: string): string | undefined {
  const path = `${new URL(`${current.publicOrigin}/auth`).pathname}/token`;
  if (REACHABLE.get(service)?.has(ISSUER) === true)
    return `http://${ISSUER}:${String(serviceOf(current, ISSUER).port)}${path}`;
  if (REACHABLE.get(service)?.has(EDGE) === true)
    return `http://${EDGE}:${String(serviceOf(current, EDGE).port)}${path}`;
  return undefined;
}

/** The token a service holds to trade: clients' opaque tokens at the edge, else the first JWT it received. */
function subjectTokenOf(service: string, current: Flow): string | undefined {
  if (OPAQUE_HOLDERS.has(service)) return current.alice.accessToken;
  const received = current.received.get(service) ?? [];
  // orders: alice's plain orders JWT (from a read, not an admin's), not the pay request's, which orders spent.
  const plain = received.find(
    (token) => token.request.startsWith('GET ') && !String(token.claims.scope).split(' ').includes('admin'),
  );
  return (plain ?? received[0])?.token;
}

function reachTargets(current: LaunchedStack, from: LaunchedService) {
  const peers = Object.values(current.services)
    .filter((service) => service.name !== from.name)
    .flatMap((service) =>
      Object.entries(service.addresses).map(([network, host]) => ({
        name: service.name,
        network,
        host,
        port: service.port,
      })),
    );
  const ports = [...new Set([...Object.values(current.services).map((s) => s.port), current.publishedPort])];
  const hosts = Object.keys(from.addresses).flatMap((network) =>
    ports.map((port) => ({ name: 'host', network, host: current.networks[network]?.gateway ?? '', port })),
  );
  return [...peers, ...hosts];
}

async function attack(current: LaunchedStack, service: string): Promise<AttackReport> {
  const launched = serviceOf(current, service);
  const state = currentFlow();
  const subjectToken = subjectTokenOf(service, state);
  const unpaid = state.unpaidOrder;
  const tokenUrl = tokenUrlOf(current, service);
  const exchanges =
    service === ISSUER || subjectToken === undefined || tokenUrl === undefined
      ? []
      : SERVICES.filter((audience) => audience !== service).map((audience) => ({
          label: `aud=${audience}${REACHABLE.get(service)?.has(ISSUER) === true ? '' : ` (through ${EDGE})`}`,
          subjectToken,
          audience,
          ...(audience === BINDING_RULE?.audience
            ? {
                authorizationDetails: [
                  paymentOperation('/charges', unpaid.id, unpaid.total, unpaid.currency),
                ],
              }
            : {}),
        }));
  return nodeIn<AttackReport>(launched, BLAST_RADIUS_ATTACK, {
    service,
    targets: reachTargets(current, launched),
    keyFile: `${DATA_ROOT}/${service}/workload-key.private.jwk.json`,
    files: [`${DATA_ROOT}/${service}`, WORKLOAD_KEYS_ROOT],
    tokenUrl: tokenUrl ?? 'http://unreachable.invalid/',
    issuer: `${current.publicOrigin}/auth`,
    exchanges,
    requests: [],
  });
}

/** Token exchanges at auth from inside `service`, signed with its own workload key (nothing else probed). */
function exchangeAs(
  current: LaunchedStack,
  service: string,
  exchanges: readonly Record<string, unknown>[],
): Promise<AttackReport> {
  return nodeIn<AttackReport>(serviceOf(current, service), BLAST_RADIUS_ATTACK, {
    service,
    targets: [],
    keyFile: `${DATA_ROOT}/${service}/workload-key.private.jwk.json`,
    files: [],
    tokenUrl: tokenUrlOf(current, service),
    issuer: `${current.publicOrigin}/auth`,
    exchanges,
    requests: [],
  });
}

/** What a compromised orders can do with the payments token it spent on a pay: replay it, or point it elsewhere. */
async function replaySpentPaymentsToken(
  current: LaunchedStack,
  state: Omit<Flow, 'steps' | 'replays'>,
): Promise<Flow['replays']> {
  if (BINDING_RULE === undefined) return undefined;
  const { requester: orders, audience: payments } = BINDING_RULE;
  const spent = (state.received.get(payments) ?? []).find((token) => token.request.startsWith('POST '));
  if (spent === undefined || state.paymentMethod === undefined) return undefined;
  const charge = (order: Flow['paidOrder']) => ({
    orderId: order.id,
    amount: order.total,
    currency: order.currency,
    paymentMethod: state.paymentMethod,
  });
  const replay = (order: Flow['paidOrder']) =>
    request(current, orders, {
      method: 'POST',
      to: payments,
      path: '/charges',
      token: spent.token,
      body: charge(order),
    });
  return { same: await replay(state.paidOrder), otherOrder: await replay(state.unpaidOrder) };
}

function request(
  current: LaunchedStack,
  from: string,
  attempt: { method: string; to: string; path: string; token: string; body?: unknown },
): Promise<HttpAnswer> {
  return nodeIn<HttpAnswer>(serviceOf(current, from), HTTP_REQUEST, {
    url: `http://${attempt.to}:${String(serviceOf(current, attempt.to).port)}${attempt.path}`,
    method: attempt.method,
    headers: {
      authorization: `Bearer ${attempt.token}`,
      'idempotency-key': randomUUID(),
      ...(attempt.body === undefined || attempt.method === 'GET'
        ? {}
        : { 'content-type': 'application/json' }),
    },
    bodyBase64:
      attempt.body === undefined || attempt.method === 'GET'
        ? undefined
        : Buffer.from(JSON.stringify(attempt.body)).toString('base64'),
  });
}

beforeAll(async () => {
  const current = stack.get();
  const { capture, internal } = await captureInternalZones(current);
  const client = new EdgeClient(current);
  const steps: string[][] = [];
  let segments: Segment[];
  let state: Omit<Flow, 'received' | 'steps' | 'replays'> | undefined;
  try {
    const alice = await client.signIn('alice');
    const carol = await client.signIn('carol', 'openid orders admin');
    const { created, paid } = await client.orderAndPay(alice.accessToken);
    const catalog = JSON.parse((await client.call('GET', '/api/catalog', alice.accessToken)).body) as
      { sku: string }[] | { items: { sku: string }[] };
    const items = Array.isArray(catalog) ? catalog : catalog.items;
    const second = await client.call('POST', '/api/orders', alice.accessToken, {
      json: { items: [{ sku: items[0]?.sku ?? 'unknown', quantity: 2 }] },
    });
    const upload = await client.call('POST', '/api/images', alice.accessToken, {
      bytes: tinyPng(),
      contentType: 'image/png',
    });
    const adminList = await client.call('GET', '/api/admin/orders', carol.accessToken);
    steps.push(
      ['alice: POST /api/orders, then its pay', `${String(created.status)}, ${String(paid?.status)}`],
      ['alice: POST /api/orders (left unpaid)', String(second.status)],
      ['alice: POST /api/images', String(upload.status)],
      ['carol (admin): GET /api/admin/orders', String(adminList.status)],
    );
    const paidOrder = orderOf(created.body);
    const adminOrders = JSON.parse(adminList.body) as { id: string; chargeId: string | null }[];
    state = {
      alice,
      carol,
      paidOrder,
      unpaidOrder: orderOf(second.body),
      chargeId: adminOrders.find((order) => order.id === paidOrder.id)?.chargeId ?? undefined,
      paymentMethod: undefined,
    };
  } finally {
    segments = await capture.stop();
  }
  const toInternal = segments.filter((segment) =>
    internal.some((network) => inSubnet(segment.destination, network.subnet)),
  );
  const paymentMethod = toInternal
    .map((segment) => /"paymentMethod":"(pm_[a-z0-9_]+)"/.exec(segment.payload.toString('latin1'))?.[1])
    .find((method) => method !== undefined);
  const received = tokensReceived(current, toInternal);
  // At once: the token lives seconds, and the proof is that it is refused while it is still valid.
  const replays = await replaySpentPaymentsToken(current, { ...state, paymentMethod, received });
  flow = { ...state, paymentMethod, received, steps, replays };
  for (const service of SERVICES) attacks.set(service, await attack(current, service));
}, 180_000);

afterAll(() => {
  const launchError = stack.launchError();
  for (const service of SERVICES) {
    const failures = [
      ...(launchError === undefined ? [] : [`the stack did not start: ${launchError}`]),
      ...failuresOf(service),
    ];
    const table = markdownTable(
      ['what', 'target', 'topology / threat model', 'observed', 'holds'],
      rowsOf(service).map((row) => [
        row.kind,
        row.target,
        row.expected,
        row.observed,
        row.holds ? 'yes' : 'NO',
      ]),
    );
    recordFinding({
      id: `blast-radius-${service}`,
      claim: claimOf(service),
      method:
        '`docker exec` of a Node attack script in the ' +
        service +
        ' container (as its own user): TCP connects to every address of every other service and to the host on ' +
        'every network it joins; a look at what its data folder and the workload-key folders hold (names, and ' +
        'whether a key has a private part; never the contents); a token exchange at auth for every other ' +
        'audience, signed with its own workload key (or, with none, a key it made), with the token it holds; ' +
        'then what those tokens, and the ones captured on the wire during a normal flow (alice orders and ' +
        'pays, uploads; carol lists orders as admin), let it do.',
      observed: [
        currentFlowSteps(),
        ...(notes.get(service) ?? []),
        `Blast radius of ${service}:`,
        '',
        table,
        '',
      ].join('\n'),
      failures,
    });
  }
});

function currentFlowSteps(): string {
  if (flow === undefined) return 'The user flow did not run.\n';
  return `The flow the services saw (through the edge): ${flow.steps.map(([step, status]) => `${step ?? ''} ${status ?? ''}`).join('; ')}.\n`;
}

function claimOf(service: string): string {
  const rule = RULES.filter((candidate) => candidate.requester === service).map(
    (candidate) => candidate.audience,
  );
  const peers = [...(REACHABLE.get(service) ?? [])].join(', ') || 'nothing';
  if (service === ISSUER) {
    return `${service} is the trust root: it holds the signing keys and the user database, so its compromise mints any token. It reaches only ${peers}.`;
  }
  return (
    `Code running in ${service} reaches only ${peers}; auth mints it tokens only for ` +
    `${rule.length === 0 ? 'no audience' : rule.join(', ')}; the tokens it receives are addressed to it alone, ` +
    'carry only its routes’ scopes and live no longer than the threat model says; and they are worth nothing ' +
    'beyond what the topology gives it.' +
    (service === BINDING_RULE?.requester
      ? ' It can pay only an order a user asked to pay, once, within the payments token’s life, and cannot refund ' +
        'without an admin’s refund request.'
      : '')
  );
}

describe('the blast radius of each service', () => {
  it('each service reaches exactly the services the topology gives it, and the host only by the documented limit', () => {
    const current = stack.get();
    for (const service of SERVICES) {
      const report = attackOf(service);
      const mine = serviceOf(current, service).addresses;
      for (const peer of SERVICES.filter((name) => name !== service)) {
        const probes = report.connections.filter((c) => c.name === peer);
        const open = probes.filter((c) => c.outcome === 'open');
        // Open exactly on the networks both join (Docker networks are symmetric; isolation between networks).
        const expectedOpen = probes.filter((c) => mine[c.network] !== undefined);
        const holds = open.length === expectedOpen.length && open.every((c) => mine[c.network] !== undefined);
        const topologySays = REACHABLE.get(service)?.has(peer) === true;
        add(service, {
          kind: 'reach',
          target: `${peer}:${String(serviceOf(current, peer).port)}`,
          expected: topologySays
            ? `open (shares ${expectedOpen.map((c) => c.network).join(', ')})`
            : 'closed',
          observed:
            open.length === 0
              ? `closed (${[...new Set(probes.map((c) => c.outcome))].join(', ')})`
              : `open on ${open.map((c) => c.network).join(', ')}`,
          holds: holds && topologySays === open.length > 0,
        });
      }
      for (const network of Object.keys(mine)) {
        const probes = report.connections.filter((c) => c.name === 'host' && c.network === network);
        const open = probes.filter((c) => c.outcome === 'open').map((c) => String(c.port));
        add(service, {
          kind: 'reach',
          target: `host on ${network} (${String(probes.length)} ports)`,
          expected:
            current.networks[network]?.internal === true ? 'closed (internal network)' : 'egress (the edge)',
          observed: open.length === 0 ? 'closed' : `open: ${open.join(', ')}`,
          // The host's own sockets are a documented limit (threat model): recorded, not the topology's to decide.
          holds: current.networks[network]?.internal !== true || open.length === 0,
        });
      }
    }
    const broken = SERVICES.flatMap((service) => failuresOf(service).filter((f) => f.startsWith('reach')));
    expect(broken).toEqual([]);
  });

  it('each service holds only the credentials the threat model lists (auth: the signing keys)', () => {
    for (const service of SERVICES) {
      const report = attackOf(service);
      const keyRows = report.files.filter(
        (file) => file.exists && file.readable && /private key/.test(file.detail),
      );
      const privateKeys = keyRows.filter((file) => !/ 0 private key/.test(file.detail));
      for (const file of report.files.filter((candidate) => candidate.exists)) {
        add(service, {
          kind: 'holds',
          target: file.path,
          expected: 'recorded',
          observed: `${file.readable ? 'readable' : `not readable (${file.detail})`}${file.readable ? `: ${file.detail}` : ''}`,
          holds: true,
        });
      }
      const ownKey = `${DATA_ROOT}/${service}/workload-key.private.jwk.json`;
      const signing = privateKeys.filter((file) => file.path !== ownKey);
      const expectsWorkloadKey =
        OPAQUE_HOLDERS.has(service) || RULES.some((rule) => rule.requester === service);
      add(service, {
        kind: 'holds',
        target: 'private keys',
        expected:
          service === ISSUER
            ? 'the token-signing keys (trust root)'
            : expectsWorkloadKey
              ? 'its own workload key only'
              : 'none',
        observed: privateKeys.length === 0 ? 'none' : privateKeys.map((file) => file.path).join(', '),
        holds:
          service === ISSUER
            ? signing.length > 0
            : signing.length === 0 && report.ownKey === expectsWorkloadKey,
      });
    }
    expect(SERVICES.flatMap((service) => failuresOf(service).filter((f) => f.startsWith('holds')))).toEqual(
      [],
    );
  });

  it('each service obtains from auth tokens only for the audiences the topology gives it (the gateway: orders and image-processor)', () => {
    for (const service of SERVICES) {
      const report = attackOf(service);
      if (service === ISSUER) {
        add(service, {
          kind: 'mint',
          target: 'any audience',
          expected: 'anything: it signs the tokens',
          observed: 'holds the signing keys (see holds)',
          holds: true,
        });
        continue;
      }
      if (report.exchanges.length === 0) {
        add(service, {
          kind: 'mint',
          target: 'any audience',
          expected: 'no route to auth, or nothing to trade',
          observed: tokenUrlOf(stack.get(), service) === undefined ? 'no route to auth' : 'no token to trade',
          holds: !RULES.some((rule) => rule.requester === service),
        });
        continue;
      }
      for (const exchanged of report.exchanges) {
        const rule = RULES.find(
          (candidate) => candidate.requester === service && candidate.audience === exchanged.audience,
        );
        // The intent design: a token that moves money comes only from a token carrying the user's intent.
        const needsIntent = rule?.binding !== undefined;
        const allowed = rule !== undefined && !needsIntent;
        const minted = exchanged.status === 200 && exchanged.accessToken !== null;
        add(service, {
          kind: 'mint',
          target: exchanged.label,
          expected: needsIntent
            ? 'refused: a plain token carries no user intent'
            : allowed
              ? `allowed, scopes within ${scopesOfAudience(airlockTopology, exchanged.audience).join(' ') || '(none)'}`
              : 'refused',
          observed: minted
            ? `minted: ${describeToken(exchanged.claims)}`
            : `${String(exchanged.status)} ${exchanged.error ?? ''}`,
          holds: minted === allowed,
        });
      }
    }
    expect(SERVICES.flatMap((service) => failuresOf(service).filter((f) => f.startsWith('mint')))).toEqual(
      [],
    );
  });

  it('the tokens each service receives are addressed to it alone, carry its routes’ scopes and live minutes at most (payments: seconds)', () => {
    const state = currentFlow();
    for (const service of SERVICES) {
      if (OPAQUE_HOLDERS.has(service)) {
        add(service, {
          kind: 'token',
          target: 'clients’ opaque access tokens',
          expected: 'every user who calls while it is compromised, for the opaque token’s life',
          observed: `opaque, ${String(state.alice.expiresIn)} s at sign-in`,
          holds: state.alice.expiresIn !== undefined && !/^eyJ/.test(state.alice.accessToken),
        });
      }
      const rule = RULES.find((candidate) => candidate.audience === service);
      const maxLife = rule?.binding?.lifetimeSeconds ?? INTERNAL_JWT_MAX_SECONDS;
      const allowedScopes = scopesOfAudience(airlockTopology, service);
      for (const received of state.received.get(service) ?? []) {
        const scopes = typeof received.claims.scope === 'string' ? received.claims.scope.split(' ') : [];
        const life = lifetimeOf(received.claims) ?? Number.POSITIVE_INFINITY;
        add(service, {
          kind: 'token',
          target: received.request,
          expected: `aud=${service}, scopes within ${allowedScopes.join(' ') || '(none)'}, at most ${String(maxLife)} s${rule?.binding === undefined ? '' : ', bound to one operation'}`,
          observed: describeToken(received.claims),
          holds:
            received.claims.aud === service &&
            scopes.every((scope) => allowedScopes.includes(scope)) &&
            life <= maxLife &&
            (rule?.binding === undefined || received.claims.authorization_details !== undefined),
        });
      }
    }
    expect(SERVICES.flatMap((service) => failuresOf(service).filter((f) => f.startsWith('token')))).toEqual(
      [],
    );
  });

  it('what the tokens they hold are worth elsewhere: nothing beyond the topology', async () => {
    const current = stack.get();
    const state = currentFlow();
    for (const service of SERVICES.filter((name) => name !== ISSUER)) {
      // A JWT a service received, replayed at a user route of every other service it can reach: 401.
      const held = (state.received.get(service) ?? [])[0]?.token;
      for (const peer of [...(REACHABLE.get(service) ?? [])].filter((name) => name !== ISSUER)) {
        if (held === undefined) continue;
        const route = userRouteOf(peer);
        if (route === undefined) continue;
        const answer = await request(current, service, { ...route, to: peer, token: held, body: {} });
        add(service, {
          kind: 'use',
          target: `its aud=${service} JWT at ${peer}: ${route.method} ${route.path}`,
          expected: '401',
          observed: `${String(answer.status)} ${codeOf(answer.body)}`,
          holds: answer.status === 401,
        });
      }
      // The holders of clients' opaque tokens act as those users, by design, within what the edge gives them.
      if (OPAQUE_HOLDERS.has(service)) {
        const minted = attackOf(service).exchanges.find((exchanged) => exchanged.accessToken !== null);
        const asUser =
          service === EDGE && minted?.accessToken
            ? await request(current, service, {
                method: 'GET',
                to: minted.audience,
                path: userRouteOf(minted.audience)?.path ?? '/',
                token: minted.accessToken,
              })
            : await request(current, service, {
                method: 'GET',
                to: EDGE,
                path: '/api/orders',
                token: state.alice.accessToken,
              });
        add(service, {
          kind: 'use',
          target:
            service === EDGE
              ? `alice’s opaque token, traded for aud=${String(minted?.audience)}, at that service`
              : 'alice’s opaque token at the edge (GET /api/orders)',
          expected: '200: it acts as the user whose token it holds, for that token’s life (by design)',
          observed: String(asUser.status),
          holds: asUser.status === 200,
        });
      }
    }
    expect(SERVICES.flatMap((service) => failuresOf(service).filter((f) => f.startsWith('use')))).toEqual([]);
  });

  it('a compromised orders: a charge only with the token of a pay the user asked for, once, for that order; no refund with a user’s token', async () => {
    const current = stack.get();
    const state = currentFlow();
    if (BINDING_RULE === undefined) throw new Error('the topology binds no operation');
    const orders = BINDING_RULE.requester;
    const payments = BINDING_RULE.audience;
    const paymentsToken = (state.received.get(payments) ?? []).find((token) =>
      token.request.startsWith('POST '),
    );
    if (paymentsToken === undefined || state.paymentMethod === undefined) {
      throw new Error('no payments token was seen on the wire during alice’s pay');
    }
    const detail = paymentsToken.claims.authorization_details;
    add(orders, {
      kind: 'use',
      target: 'alice’s pay, as she asked it',
      expected: `one payments token bound to a charge of that order, at most ${String(BINDING_RULE.binding?.lifetimeSeconds)} s`,
      observed: describeToken(paymentsToken.claims),
      holds:
        JSON.stringify(detail) ===
          JSON.stringify([
            paymentOperation('/charges', state.paidOrder.id, state.paidOrder.total, state.paidOrder.currency),
          ]) &&
        (lifetimeOf(paymentsToken.claims) ?? Infinity) <= (BINDING_RULE.binding?.lifetimeSeconds ?? 0),
    });
    const { replays } = state;
    if (replays === undefined) throw new Error('the spent payments token was not replayed');
    add(orders, {
      kind: 'use',
      target: `the spent payments token, replayed for the same charge (within its ${String(BINDING_RULE.binding?.lifetimeSeconds)} s)`,
      expected: '403 token_already_used',
      observed: `${String(replays.same.status)} ${codeOf(replays.same.body)}`,
      holds: replays.same.status === 403 && codeOf(replays.same.body) === 'token_already_used',
    });
    add(orders, {
      kind: 'use',
      target: 'the same token for alice’s other (unpaid) order',
      expected: '403 operation_mismatch',
      observed: `${String(replays.otherOrder.status)} ${codeOf(replays.otherOrder.body)}`,
      holds: replays.otherOrder.status === 403 && codeOf(replays.otherOrder.body) === 'operation_mismatch',
    });
    // A refund with the token of a user who is not an admin: refused at auth or at payments; nothing refunded.
    const aliceJwt = subjectTokenOf(orders, state);
    if (aliceJwt === undefined || state.chargeId === undefined) throw new Error('no orders JWT or charge id');
    const report = await exchangeAs(current, orders, [
      {
        label: 'refund with alice’s orders JWT',
        subjectToken: aliceJwt,
        audience: payments,
        authorizationDetails: [
          paymentOperation('/refunds', state.chargeId, state.paidOrder.total, state.paidOrder.currency),
        ],
      },
    ]);
    const [refundExchange] = report.exchanges;
    let refundAnswer: HttpAnswer | undefined;
    if (refundExchange?.accessToken) {
      refundAnswer = await request(current, orders, {
        method: 'POST',
        to: payments,
        path: '/refunds',
        token: refundExchange.accessToken,
        body: { chargeId: state.chargeId, amount: state.paidOrder.total },
      });
    }
    add(orders, {
      kind: 'use',
      target: 'refund alice’s charge with her (non-admin) orders JWT',
      expected: 'no refund (auth or payments refuses)',
      observed: `exchange ${String(refundExchange?.status)} ${refundExchange?.error ?? ''}${refundAnswer === undefined ? '' : `, payments ${String(refundAnswer.status)} ${codeOf(refundAnswer.body)}`}`,
      holds: refundAnswer === undefined || refundAnswer.status >= 400,
    });
    expect(failuresOf(orders).filter((f) => f.startsWith('use'))).toEqual([]);
  });

  it('a compromised orders gets no payments token from a plain orders JWT: not alice’s to charge, not an admin’s to refund', async () => {
    const current = stack.get();
    const state = currentFlow();
    if (BINDING_RULE === undefined) throw new Error('the topology binds no operation');
    const orders = BINDING_RULE.requester;
    const payments = BINDING_RULE.audience;
    const aliceJwt = subjectTokenOf(orders, state);
    const carolJwt = (state.received.get(orders) ?? []).find((token) =>
      String(token.claims.scope).split(' ').includes('admin'),
    )?.token;
    if (aliceJwt === undefined || carolJwt === undefined || state.chargeId === undefined) {
      throw new Error('no plain orders JWT of alice or carol, or no charge, was seen');
    }
    const { unpaidOrder: unpaid, paidOrder: paid } = state;
    const report = await exchangeAs(current, orders, [
      {
        label: 'charge',
        subjectToken: aliceJwt,
        audience: payments,
        authorizationDetails: [paymentOperation('/charges', unpaid.id, unpaid.total, unpaid.currency)],
      },
      {
        label: 'refund',
        subjectToken: carolJwt,
        audience: payments,
        authorizationDetails: [paymentOperation('/refunds', state.chargeId, paid.total, paid.currency)],
      },
    ]);
    const [charge, refund] = report.exchanges;
    // Were a token minted, its impact is shown rather than assumed: it is used at once, as a compromised orders would.
    const charged = charge?.accessToken
      ? await request(current, orders, {
          method: 'POST',
          to: payments,
          path: '/charges',
          token: charge.accessToken,
          body: {
            orderId: unpaid.id,
            amount: unpaid.total,
            currency: unpaid.currency,
            paymentMethod: state.paymentMethod,
          },
        })
      : undefined;
    const refunded = refund?.accessToken
      ? await request(current, orders, {
          method: 'POST',
          to: payments,
          path: '/refunds',
          token: refund.accessToken,
          body: { chargeId: state.chargeId, amount: paid.total },
        })
      : undefined;
    const outcome = (exchanged: Exchanged | undefined, used: HttpAnswer | undefined): string =>
      `auth ${String(exchanged?.status)} ${exchanged?.error ?? ''}${used === undefined ? '' : `, then payments ${String(used.status)} ${codeOf(used.body)}`}`;
    add(orders, {
      kind: 'use',
      target: 'charge alice’s unpaid order (she never asked to pay it) with her plain orders JWT',
      expected: 'refused by auth: no pay intent; nothing charged',
      observed: outcome(charge, charged),
      holds: charge?.accessToken === null && charged === undefined,
    });
    add(orders, {
      kind: 'use',
      target: 'refund alice’s charge with carol’s (admin) plain orders JWT (no refund request)',
      expected: 'refused by auth: no refund intent; nothing refunded',
      observed: outcome(refund, refunded),
      holds: refund?.accessToken === null && refunded === undefined,
    });
    expect(failuresOf(orders).filter((f) => f.includes('plain orders JWT'))).toEqual([]);
  });
});
