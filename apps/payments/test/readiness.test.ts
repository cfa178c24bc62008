// Issue 11, finding 9: ready means able to verify a token. With auth's key set out of reach every charge would be
// refused with 503, so /readyz must say 503 too. On both engines: the database answering is not enough.
import { describe, it } from '@jest/globals';
import request from 'supertest';
import { createLogger } from '@airlock/service-kit';
import { serviceTokenVerifierOptions } from '@airlock/service-kit/service-token-verifier';
import { createTokenVerifier } from '@airlock/token-verification';
import { DATABASE_ENGINES, useTestDatabases } from '@airlock/testing/database-engines';
import { TEST_ISSUER } from '@airlock/testing/tokens';

import { createApp } from '../src/app.js';
import { openPaymentsDatabase } from '../src/db/database.js';
import { tokenPolicy } from '../src/service.js';
import { createPaymentsHarness } from './support/harness.js';

// Port 9 (discard) on loopback: nothing listens, so the key set cannot be fetched.
const UNREACHABLE_JWKS = new URL('http://127.0.0.1:9/auth/jwks');

describe.each(DATABASE_ENGINES)('GET /readyz on %s', (engine) => {
  const databases = useTestDatabases(engine);

  it('is 503 while the key set cannot be fetched, though the database answers', async () => {
    const db = await openPaymentsDatabase(await databases.next());
    try {
      const verifier = createTokenVerifier(
        serviceTokenVerifierOptions({ ...tokenPolicy, issuer: TEST_ISSUER, jwks: UNREACHABLE_JWKS }),
      );
      const app = createApp({ logger: createLogger({ service: 'payments', level: 'silent' }), verifier, db });
      await request(app).get('/readyz').expect(503);
    } finally {
      await db.close();
    }
  });

  it('is 200 when tokens can be verified', async () => {
    const harness = await createPaymentsHarness(undefined, await databases.next());
    try {
      await request(harness.app).get('/readyz').expect(200);
    } finally {
      await harness.close();
    }
  });
});
