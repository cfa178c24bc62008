// Trades the user's token that orders received for one addressed to payments, through workload-identity's
// token-exchange client, authenticating as orders. Every failure is workload-identity's TokenExchangeError:
// orders then refuses to pay (fail closed) and never calls payments without a token auth just issued.
import type { Dispatcher } from 'undici';
import {
  createClientAssertion,
  createTokenExchangeClient,
  exchangeOrThrow,
  MAX_EXCHANGE_TIMEOUT_MS,
} from '@airlock/workload-identity';
import type { WorkloadKeyPair } from '@airlock/workload-identity';
import type { BoundOperation } from '@airlock/topology';

/** What orders needs from auth: a token for payments, on the same user's behalf, acting as orders. */
export interface PaymentsTokenExchanger {
  /**
   * The access token for `aud: payments`, bound to `operation` (one charge or refund, used once, for seconds);
   * rejects with workload-identity's TokenExchangeError.
   */
  exchange(subjectToken: string, scope?: string, operation?: BoundOperation): Promise<string>;
}

export const DEFAULT_EXCHANGE_TIMEOUT_MS = MAX_EXCHANGE_TIMEOUT_MS;

export interface PaymentsTokenExchangerOptions {
  /** Base URL of auth inside the identity enclave, e.g. http://127.0.0.1:8081. */
  readonly authUrl: URL;
  /** Auth's issuer identifier: the audience of the client assertion. */
  readonly issuer: string;
  /** Orders' own workload key pair (ensureWorkloadKeyPair). */
  readonly keyPair: WorkloadKeyPair;
  /** Orders' client_id at auth: its topology name. */
  readonly clientId: string;
  /** The callee: payments' topology name. */
  readonly audience: string;
  readonly timeoutMs?: number;
  readonly dispatcher?: Dispatcher;
}

export function createPaymentsTokenExchanger(options: PaymentsTokenExchangerOptions): PaymentsTokenExchanger {
  const client = createTokenExchangeClient({
    authOrigin: options.authUrl,
    tokenPath: `${new URL(options.issuer).pathname}/token`,
    clientId: options.clientId,
    clientAssertion: () =>
      createClientAssertion({
        service: options.clientId,
        privateKey: options.keyPair.privateKey,
        kid: options.keyPair.kid,
        audience: options.issuer,
      }),
    timeoutMs: options.timeoutMs ?? DEFAULT_EXCHANGE_TIMEOUT_MS,
    ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
  });
  return {
    exchange: (subjectToken, scope, operation) =>
      exchangeOrThrow(client, {
        subjectToken,
        audience: options.audience,
        ...(scope === undefined ? {} : { scope }),
        ...(operation === undefined ? {} : { authorizationDetails: [{ ...operation }] }),
      }),
  };
}
