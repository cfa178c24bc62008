// One audience per token: a JWT minted for one service is refused by every other service, called directly
// on its loopback port as a compromised peer would. Each token is first shown to work where it belongs.
// The services, their callers and the routes probed all come from the topology: a new service is covered by
// being declared.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { airlockTopology, edgeService } from '@airlock/topology';
import type { CallSpec } from '@airlock/topology';
import { call, fieldOf, startE2eStack, type E2eStack } from './support/e2e-stack.js';

let e2e: E2eStack;
const tokens = new Map<string, string>();

/**
 * Each service that receives user JWTs, with the call that brings them: its caller and its routes. Not the edge:
 * a front end (the web shop's BFF) calls it with the client's opaque token, which the edge resolves itself.
 */
const userCalls: CallSpec[] = [
  ...new Map(
    airlockTopology.calls
      .filter((spec) => spec.as === 'user' && spec.to !== edgeService(airlockTopology).name)
      .map((spec) => [spec.to, spec] as const),
  ).values(),
];
const services = userCalls.map((spec) => spec.to);
const edge = edgeService(airlockTopology).name;

/** The first route of the call into `service`, called without a body: the token is checked before anything. */
async function probe(service: string, token: string): Promise<number> {
  const spec = userCalls.find((candidate) => candidate.to === service);
  const route = spec?.routes[0];
  if (route === undefined) throw new Error(`no user call into ${service}`);
  const path = route.path.replace(/:[A-Za-z_]+/g, randomUUID());
  const answer = await call(`${e2e.urlOf(service)}${path}`, token, {
    method: route.method,
    headers: { 'idempotency-key': `e2e-replay-${randomUUID()}` },
  });
  return answer.status;
}

/** The object of the one operation asked for below, and of the user's intent it is redeemed against. */
const boundObject = randomUUID();

/**
 * A callee that binds operations gets tokens for one only (issue 11, finding 7): ask for its first route's. The
 * caller's own token must then carry the user's intent for it, which the edge asks for on the caller's behalf.
 */
function boundTo(spec: CallSpec): { authorizationDetails: Record<string, unknown>[] } | undefined {
  const operation = spec.routes[0]?.operation;
  if (spec.bindsOperation !== undefined && operation !== undefined) {
    const detail = { identifier: boundObject, amount: 1, currency: 'EUR' };
    return {
      authorizationDetails: [{ type: spec.bindsOperation.detailsType, actions: [operation], ...detail }],
    };
  }
  const redeemedBy = airlockTopology.calls.find(
    (next) => next.from === spec.to && next.bindsOperation !== undefined,
  );
  const action = redeemedBy?.routes[0]?.operation;
  if (spec.from !== edge || spec.conveysIntent === undefined || action === undefined) return undefined;
  return {
    authorizationDetails: [
      { type: spec.conveysIntent.detailsType, actions: [action], identifier: boundObject },
    ],
  };
}

async function accessToken(response: Response): Promise<string> {
  const body = await response.json();
  const token = fieldOf(body, 'access_token');
  if (response.status !== 200 || typeof token !== 'string')
    throw new Error(`exchange failed: ${String(response.status)}`);
  return token;
}

beforeAll(async () => {
  e2e = await startE2eStack();
  const alice = await e2e.signIn('alice');
  // The edge exchanges the client's opaque token; a service exchanges the token it received itself.
  const pending = [...userCalls];
  while (pending.length > 0) {
    const ready = pending.findIndex((spec) => spec.from === edge || tokens.has(spec.from));
    const [spec] = pending.splice(ready, 1);
    if (ready < 0 || spec === undefined) throw new Error('a user call whose caller holds no user token');
    const subject = spec.from === edge ? alice : (tokens.get(spec.from) ?? '');
    tokens.set(spec.to, await accessToken(await e2e.exchangeAs(spec.from, subject, spec.to, boundTo(spec))));
  }
});
afterAll(async () => {
  await e2e.close();
});

const pairs = services.flatMap((audience) =>
  services.filter((target) => target !== audience).map((target) => [audience, target]),
);

describe('audience replay between services', () => {
  it.each(services)('a token for %s works at %s itself', async (audience) => {
    const status = await probe(audience, tokens.get(audience) ?? '');
    expect(status).not.toBe(401);
    expect(status).not.toBe(403);
  });

  it.each(pairs)('a token for %s is refused by %s with 401', async (audience, target) => {
    expect(await probe(target, tokens.get(audience) ?? '')).toBe(401);
  });

  it('refuses the opaque client token at every service', async () => {
    const alice = await e2e.signIn('alice');
    for (const service of services) expect(await probe(service, alice)).toBe(401);
  });
});
