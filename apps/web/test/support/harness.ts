// Builds a web app with a test issuer and a logger whose lines the test can read.
import type { Express } from 'express';
import { createLogger } from '@airlock/service-kit';
import { serviceTokenVerifierOptions } from '@airlock/service-kit/service-token-verifier';
import { createTokenVerifier } from '@airlock/token-verification';
import { callersOfRoute } from '@airlock/topology';
import type { HttpMethod } from '@airlock/topology';
import { createTestIssuer, TEST_ISSUER } from '@airlock/testing/tokens';
import type { MintOptions, TestIssuer } from '@airlock/testing/tokens';

import { createApp, webRoutes } from '../../src/app.js';
import { service, tokenPolicy, topology } from '../../src/service.js';

export interface Harness {
  readonly app: Express;
  readonly issuer: TestIssuer;
  /** The service the topology allows to call the example route, as the tokens' `act.sub`. */
  readonly caller: string;
  /** Claims of a token the example route accepts: a caller the topology allows, acting for alice. */
  readonly validClaims: Record<string, unknown>;
  /** Every log line written so far, parsed. */
  readonly logLines: () => Record<string, unknown>[];
  /** Every log line written so far, as written. */
  readonly rawLog: () => string;
  /** A token an allowed caller would relay for alice, with extra or removed claims. */
  token(claims?: Record<string, unknown>, options?: Omit<MintOptions, 'claims'>): Promise<string>;
}

/** The example route, as the topology declares it. */
export const exampleRoute: { readonly method: HttpMethod; readonly path: string } = webRoutes()[0] ?? {
  method: 'GET',
  path: `/${service.name}`,
};

/** A service the topology allows to call the example route. */
export const exampleCaller = firstCallerOf(exampleRoute);

/** Claims of a token every route accepts, apart from sub (alice by default). */
export const validClaims = { act: { sub: exampleCaller } };

export async function createHarness(): Promise<Harness> {
  const caller = exampleCaller;
  const issuer = await createTestIssuer({ audience: service.name, claims: validClaims });
  const written: string[] = [];
  const logger = createLogger({
    service: service.name,
    destination: {
      write: (line: string) => {
        written.push(line);
      },
    },
  });
  const verifier = createTokenVerifier(
    serviceTokenVerifierOptions({ ...tokenPolicy, issuer: TEST_ISSUER, jwks: issuer.jwks }),
  );
  return {
    app: createApp({ logger, verifier }),
    issuer,
    caller,
    validClaims,
    logLines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>),
    rawLog: () => written.join(''),
    token: (claims = {}, mintOptions = {}) => issuer.mint({ ...mintOptions, claims }),
  };
}

function firstCallerOf(route: { readonly method: HttpMethod; readonly path: string }): string {
  const [caller] = callersOfRoute(topology, service.name, route.method, route.path);
  if (caller === undefined) throw new Error(`${service.name}: the topology gives ${route.path} no caller`);
  return caller;
}

/** The audit lines among the log lines. */
export function auditLines(lines: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return lines.filter((line) => line['audit'] === true);
}
