// The token policy of the image processor: ES256 JWTs from auth, addressed to image-processor, short-lived.
import type { TokenVerifierOptions } from '@airlock/token-verification';

import { SERVICE_NAME } from './routes/images.create.js';

/** Auth issues internal JWTs for at most 5 minutes; an older `iat` is not one of its tokens. */
export const MAX_TOKEN_AGE_SECONDS = 300;

export function imageProcessorVerifierOptions(
  issuer: string,
  jwks: TokenVerifierOptions['jwks'],
  now?: () => number,
): TokenVerifierOptions {
  return {
    issuer,
    audience: SERVICE_NAME,
    algorithms: ['ES256'],
    jwks,
    maxTokenAgeSeconds: MAX_TOKEN_AGE_SECONDS,
    ...(now === undefined ? {} : { now }),
  };
}
