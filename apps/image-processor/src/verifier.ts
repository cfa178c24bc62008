// The token policy of the image processor: service-kit's policy for auth's internal tokens (ES256, at+jwt, at
// most 5 minutes old), addressed to image-processor.
import { serviceTokenVerifierOptions } from '@airlock/service-kit/service-token-verifier';
import type { TokenVerifierOptions } from '@airlock/token-verification';

import { SERVICE_NAME } from './routes/images.create.js';

export function imageProcessorVerifierOptions(
  issuer: string,
  jwks: TokenVerifierOptions['jwks'],
  now?: () => number,
): TokenVerifierOptions {
  return serviceTokenVerifierOptions({ service: SERVICE_NAME, issuer, jwks, now });
}
