// Which client a sign-in attempt comes from, for the login limits. The gateway is the only service whose word
// counts: it signs the address its socket saw with its workload key (x-airlock-client-address), and auth checks
// that signature against the gateway's published public key. Anything else (no header, a forged one, an
// X-Forwarded-For from whoever can reach auth) leaves the attempt counted against the address of its own socket.
import type { Request } from 'express';
import { airlockTopology, edgeService } from '@airlock/topology';
import {
  CLIENT_ADDRESS_HEADER,
  readWorkloadPublicJwk,
  verifyClientAddressAssertion,
} from '@airlock/workload-identity';
import type { Logger } from '@airlock/service-kit';

export type ClientAddressOf = (req: Request) => Promise<string>;

export interface ClientAddressOptions {
  /** Where services publish their workload public keys (auth's AIRLOCK_WORKLOAD_KEYS_DIR). */
  readonly workloadKeysDir: string;
  /** Auth's issuer: the audience the gateway signs for. */
  readonly issuer: string;
  readonly logger: Logger;
}

const GATEWAY = edgeService(airlockTopology).name;

export function clientAddressFromGateway(options: ClientAddressOptions): ClientAddressOf {
  return async (req) => {
    const peer = req.socket.remoteAddress ?? 'unknown';
    const assertion = req.get(CLIENT_ADDRESS_HEADER);
    if (assertion === undefined) return peer;
    // Read per attempt, like client lookups: a gateway key rotated while auth runs is picked up at once.
    const publicJwk = await readWorkloadPublicJwk({
      dataDir: options.workloadKeysDir,
      service: GATEWAY,
    }).catch((error: unknown) => {
      options.logger.warn({ err: error, requestId: req.id }, 'gateway public key unreadable');
      return undefined;
    });
    const address =
      publicJwk === undefined
        ? undefined
        : await verifyClientAddressAssertion(assertion, {
            service: GATEWAY,
            publicJwk,
            audience: options.issuer,
          });
    if (address === undefined) {
      options.logger.warn(
        { requestId: req.id, peer },
        'client address header not signed by the gateway; ignored',
      );
    }
    return address ?? peer;
  };
}
