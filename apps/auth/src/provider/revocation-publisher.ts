// Publishes revoked access tokens' hashes on Redis (AIRLOCK_REDIS_URL) for every gateway to drop at once.
// Best effort: a lost message leaves the gateways' cache TTL as the bound, so a failure is logged, not raised.
import type { Logger } from '@airlock/service-kit';
import { connectRedis, disconnectRedis } from '@airlock/shared-state/connection';
import { publishRevokedTokens } from '@airlock/shared-state/revocation-channel';
import type { AuthConfig } from '../config.js';

export interface RevocationPublisher {
  readonly publish: (tokenHashes: readonly string[]) => void;
  close(): Promise<void>;
}

/** Undefined without AIRLOCK_REDIS_URL. */
export function connectRevocationPublisher(
  config: Pick<AuthConfig, 'redisUrl'>,
  logger: Logger,
): RevocationPublisher | undefined {
  if (config.redisUrl === undefined) return undefined;
  const redis = connectRedis({
    url: config.redisUrl,
    name: 'auth-revocations',
    onError: (error) => {
      logger.warn(
        { err: { message: error.message } },
        'redis unreachable: revocations reach gateways by TTL',
      );
    },
  });
  return {
    publish: (tokenHashes) => {
      publishRevokedTokens(redis, tokenHashes).catch((error: unknown) => {
        logger.warn(
          { err: { message: error instanceof Error ? error.message : 'unknown' }, count: tokenHashes.length },
          'revocation not published: gateways drop the token when their cache TTL ends',
        );
      });
    },
    close: () => disconnectRedis(redis),
  };
}
