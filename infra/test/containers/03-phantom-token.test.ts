// Proof 3: the phantom-token pattern, observed where it matters. On the zone networks (captured with tcpdump in
// each service's network namespace), the client's opaque token travels only between the gateway and auth, and
// every JWT a service receives is addressed to that service alone. On the client's side, no internal JWT ever
// comes back.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  decodeJwt,
  EdgeClient,
  JWT_PATTERN,
  recordClientResponses,
  stopRecording,
  type SeenResponse,
} from './support/edge-client.js';
import { markdownTable, recordFinding } from './support/proof-report.js';
import type { LaunchedStack } from './support/stack-launcher.js';
import { tinyPng } from './support/tiny-png.js';
import { useStack } from './support/use-stack.js';
import { captureInternalZones, inSubnet, type Segment } from './support/wire-capture.js';

interface WireJwt {
  readonly zone: string;
  readonly from: string;
  readonly to: string;
  readonly direction: 'request' | 'response';
  readonly typ: string;
  readonly aud: string;
  readonly act: string;
}

const failures: string[] = [];
const observed: string[] = [];
const stack = useStack();
let opaqueToken = '';
let idToken: string | undefined;
let segmentsByZone = new Map<string, Segment[]>();
let packetsCaptured = 0;
let clientSaw: readonly SeenResponse[] = [];
const steps: string[][] = [];

function check(ok: boolean, failure: string): void {
  if (!ok) failures.push(failure);
}

function serviceAt(current: LaunchedStack, address: string, port: number): string {
  const service = Object.values(current.services).find((candidate) =>
    Object.values(candidate.addresses).includes(address),
  );
  return service === undefined ? address : port === service.port ? `${service.name}:${port}` : service.name;
}

beforeAll(async () => {
  const current = stack.get();
  const { capture, internal } = await captureInternalZones(current);
  const client = new EdgeClient(current);
  clientSaw = recordClientResponses();
  try {
    const signedIn = await client.signIn('alice');
    opaqueToken = signedIn.accessToken;
    idToken = signedIn.idToken;
    const { catalog, created, read, paid } = await client.orderAndPay(opaqueToken);
    const upload = await client.call('POST', '/api/images', opaqueToken, {
      bytes: tinyPng(),
      contentType: 'image/png',
    });
    const noToken = await client.call('GET', '/api/orders', undefined);
    const forged = await client.call(
      'GET',
      '/api/orders',
      'not-a-real-token-but-long-enough-to-look-like-one',
    );
    steps.push(
      ['GET /api/catalog', String(catalog.status)],
      ['POST /api/orders', String(created.status)],
      ['GET /api/orders/:id', String(read?.status ?? 'skipped')],
      ['POST /api/orders/:id/pay', String(paid?.status ?? 'skipped')],
      ['POST /api/images', String(upload.status)],
      ['GET /api/orders without a token', String(noToken.status)],
      ['GET /api/orders with an unknown token', String(forged.status)],
    );
  } finally {
    stopRecording();
    const segments = await capture.stop();
    packetsCaptured = capture.packetsCaptured();
    // A segment belongs to the zone whose subnet holds its addresses (both ends share it on a zone network).
    segmentsByZone = new Map(
      internal.map((network) => [
        network.zone,
        segments.filter((segment) => inSubnet(segment.destination, network.subnet)),
      ]),
    );
  }
}, 120_000);

afterAll(() => {
  const launchError = stack.launchError();
  if (launchError !== undefined) failures.push(`the stack did not start: ${launchError}`);
  recordFinding({
    id: 'phantom-token',
    claim:
      'Clients hold an opaque token that reaches no internal service but auth (which resolves it for the gateway); ' +
      'each service receives a JWT whose single audience is itself; no internal JWT is ever shown to a client.',
    method:
      'tcpdump in the network namespace of every service (a capture container holding only NET_RAW, and SETUID/SETGID ' +
      'to drop to its own user) while a client signs in (code + PKCE), reads the ' +
      'catalog, creates, reads and pays an order, uploads an image, and sends a missing and an unknown token. ' +
      'Every TCP payload is searched for the opaque token and for JWTs (decoded: typ, aud, act), attributed to ' +
      'its sender and receiver by address. Every response the client received (headers and bodies, login and ' +
      'token endpoint included) is searched for JWTs.',
    observed: observed.join('\n'),
    failures,
  });
});

describe('phantom tokens across the real network', () => {
  it('carries the opaque token only from the gateway to auth', () => {
    const current = stack.get();
    expect(opaqueToken).not.toMatch(/^eyJ/);
    const sightings: string[][] = [];
    for (const [zone, segments] of segmentsByZone) {
      for (const segment of segments) {
        if (!segment.payload.includes(opaqueToken)) continue;
        const from = serviceAt(current, segment.source, segment.sourcePort);
        const to = serviceAt(current, segment.destination, segment.destinationPort);
        sightings.push([zone, from, to]);
        // The gateway resolves it at auth, and relays auth's token response (which carries it) to the client.
        const gatewayAndAuth =
          (from.startsWith('gateway') && to === 'auth:8081') ||
          (from === 'auth:8081' && to.startsWith('gateway'));
        check(gatewayAndAuth, `the opaque token crossed ${zone} from ${from} to ${to}`);
      }
    }
    const unique = [...new Set(sightings.map((row) => row.join(' ')))].map((row) => row.split(' '));
    observed.push(
      `tcpdump: ${packetsCaptured} packets captured on the zone subnets (each seen at both ends); TCP segments with data per zone: ${[...segmentsByZone.entries()].map(([zone, segments]) => `${zone} ${segments.length}`).join(', ')}.`,
      '',
      `Client steps (through the published port): ${steps.map(([step, status]) => `${step ?? ''} → ${status ?? ''}`).join('; ')}.`,
      '',
      'Where the opaque token was seen on the internal networks:',
      '',
      markdownTable(['zone', 'from', 'to'], unique.length === 0 ? [['-', '-', 'nowhere']] : unique),
      '',
    );
    expect(failures.filter((failure) => failure.startsWith('the opaque token'))).toEqual([]);
  });

  it('gives each service a JWT addressed to it alone', () => {
    const current = stack.get();
    const jwts: WireJwt[] = [];
    for (const [zone, segments] of segmentsByZone) {
      for (const segment of segments) {
        for (const jwt of segment.payload.toString('latin1').match(JWT_PATTERN) ?? []) {
          const decoded = decodeJwt(jwt);
          if (decoded === undefined) continue;
          const to = serviceAt(current, segment.destination, segment.destinationPort);
          const from = serviceAt(current, segment.source, segment.sourcePort);
          const aud = decoded.claims.aud;
          const act = decoded.claims.act as { sub?: unknown } | undefined;
          jwts.push({
            zone,
            from,
            to,
            direction: to.includes(':') ? 'request' : 'response',
            typ: String(decoded.header.typ),
            aud: Array.isArray(aud) ? aud.join(',') : String(aud),
            act: typeof act?.sub === 'string' ? act.sub : '-',
          });
        }
      }
    }
    const accessTokens = jwts.filter((jwt) => jwt.typ.toLowerCase() === 'at+jwt');
    for (const jwt of accessTokens.filter(
      (candidate) => candidate.direction === 'request' && !candidate.to.startsWith('auth'),
    )) {
      const receiver = jwt.to.split(':')[0] ?? '';
      check(
        jwt.aud === receiver,
        `${jwt.to} received a JWT for aud=${jwt.aud} (from ${jwt.from}, on ${jwt.zone})`,
      );
    }
    // Every hop of the flow the client drove must have been seen: the gateway to orders and to image-processor,
    // and orders to payments on the user's behalf (the token names orders as the actor).
    for (const [audience, actor] of [
      ['orders', 'gateway'],
      ['image-processor', 'gateway'],
      ['payments', 'orders'],
    ] as const) {
      check(
        accessTokens.some(
          (jwt) =>
            jwt.direction === 'request' &&
            jwt.to.startsWith(`${audience}:`) &&
            jwt.aud === audience &&
            jwt.act === actor,
        ),
        `no JWT for aud=${audience} with act.sub=${actor} was seen reaching ${audience}`,
      );
    }
    const distinct = [
      ...new Set(jwts.map((jwt) => JSON.stringify([jwt.zone, jwt.from, jwt.to, jwt.typ, jwt.aud, jwt.act]))),
    ].map((row) => JSON.parse(row) as string[]);
    observed.push(
      'JWTs seen on the internal networks (a service’s request or auth’s answer):',
      '',
      markdownTable(['zone', 'from', 'to', 'typ', 'aud', 'act.sub'], distinct),
      '',
    );
    expect(failures.filter((failure) => failure.includes('aud='))).toEqual([]);
  });

  it('never shows the client an internal JWT', () => {
    const shown: string[][] = [];
    for (const response of clientSaw) {
      for (const jwt of `${response.headers}\n${response.body}`.match(JWT_PATTERN) ?? []) {
        const decoded = decodeJwt(jwt);
        const isIdToken = jwt === idToken && decoded?.header.typ !== 'at+jwt';
        shown.push([
          `${response.method} ${new URL(response.url).pathname}`,
          String(response.status),
          isIdToken
            ? 'the ID token (OIDC, for the client itself)'
            : `typ=${String(decoded?.header.typ)} aud=${String(decoded?.claims.aud)}`,
        ]);
        check(
          isIdToken,
          `the client was shown a JWT (typ=${String(decoded?.header.typ)}, aud=${String(decoded?.claims.aud)}) by ${response.method} ${response.url}`,
        );
      }
    }
    const apiResponses = clientSaw.filter((response) => new URL(response.url).pathname.startsWith('/api/'));
    const eyJ = apiResponses.filter((response) => `${response.headers}\n${response.body}`.includes('eyJ'));
    check(eyJ.length === 0, `"eyJ" appears in ${eyJ.length} API responses`);
    observed.push(
      `The client received ${clientSaw.length} responses (${apiResponses.length} from /api); JWTs among them:`,
      '',
      markdownTable(['response to', 'status', 'what'], shown.length === 0 ? [['-', '-', 'none']] : shown),
      '',
    );
    expect(
      failures.filter((failure) => failure.startsWith('the client') || failure.includes('API responses')),
    ).toEqual([]);
  });
});
