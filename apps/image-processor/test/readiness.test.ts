// Issue 11, finding 9: ready means able to verify a token. With auth's key set out of reach every upload would be
// refused with 503, so /readyz must say 503 too, and the orchestrator must not route here.
import { describe, it } from '@jest/globals';
import request from 'supertest';
import { createLogger } from '@airlock/service-kit';
import { serviceTokenVerifierOptions } from '@airlock/service-kit/service-token-verifier';
import { createTokenVerifier } from '@airlock/token-verification';
import { createTestIssuer, TEST_ISSUER } from '@airlock/testing/tokens';

import { createApp } from '../src/app.js';
import { tokenPolicy } from '../src/service.js';

// Port 9 (discard) on loopback: nothing listens, so the key set cannot be fetched.
const UNREACHABLE_JWKS = new URL('http://127.0.0.1:9/auth/jwks');
const logger = createLogger({ service: 'image-processor', level: 'silent' });

describe('GET /readyz', () => {
  it('is 503 while the key set cannot be fetched', async () => {
    const verifier = createTokenVerifier(
      serviceTokenVerifierOptions({ ...tokenPolicy, issuer: TEST_ISSUER, jwks: UNREACHABLE_JWKS }),
    );
    await request(createApp({ logger, verifier })).get('/readyz').expect(503);
  });

  it('is 200 when tokens can be verified', async () => {
    const issuer = await createTestIssuer({ audience: 'image-processor' });
    const verifier = createTokenVerifier(
      serviceTokenVerifierOptions({ ...tokenPolicy, issuer: TEST_ISSUER, jwks: issuer.jwks }),
    );
    await request(createApp({ logger, verifier })).get('/readyz').expect(200);
  });
});
