// Builds an image-processor app with a test issuer and a logger whose lines the test can read.
import type { Express } from 'express';
import { createLogger } from '@airlock/service-kit';
import { serviceTokenVerifierOptions } from '@airlock/service-kit/service-token-verifier';
import { createTokenVerifier } from '@airlock/token-verification';
import { createTestIssuer, TEST_ISSUER } from '@airlock/testing/tokens';
import type { MintOptions, TestIssuer } from '@airlock/testing/tokens';

import { createApp } from '../../src/app.js';
import type { Capacity } from '../../src/routes/images.create.js';
import { tokenPolicy } from '../../src/service.js';

export interface Harness {
  readonly app: Express;
  readonly issuer: TestIssuer;
  /** Every log line written so far, parsed. */
  readonly logLines: () => Record<string, unknown>[];
  /** Every log line written so far, as written. */
  readonly rawLog: () => string;
  /** A token the gateway would relay for alice, with extra or removed claims. */
  token(claims?: Record<string, unknown>, options?: Omit<MintOptions, 'claims'>): Promise<string>;
}

export async function createHarness(options: { capacity?: Capacity } = {}): Promise<Harness> {
  // What the gateway relays here: addressed to image-processor, acting for the user, with the images scope.
  const issuer = await createTestIssuer({
    audience: 'image-processor',
    claims: { scope: 'images', act: { sub: 'gateway' } },
  });
  const written: string[] = [];
  const logger = createLogger({
    service: 'image-processor',
    destination: {
      write: (line: string) => {
        written.push(line);
      },
    },
  });
  const verifier = createTokenVerifier(
    serviceTokenVerifierOptions({ ...tokenPolicy, issuer: TEST_ISSUER, jwks: issuer.jwks }),
  );
  const app = createApp({
    logger,
    verifier,
    ...(options.capacity === undefined ? {} : { capacity: options.capacity }),
  });
  return {
    app,
    issuer,
    logLines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>),
    rawLog: () => written.join(''),
    token: (claims = {}, mintOptions = {}) => issuer.mint({ ...mintOptions, claims }),
  };
}

/** The audit lines among the log lines. */
export function auditLines(lines: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return lines.filter((line) => line['audit'] === true);
}
