// The edge service's signed word on which client address a request came from (issue 11, finding 2). Auth counts
// failed sign-ins per client from it, and trusts no X-Forwarded-For or other header that any local process could
// send: only what verifies with the gateway's workload key, for auth's issuer, within seconds.
import { importJWK, jwtVerify, SignJWT, type CryptoKey } from 'jose';
import { assertServiceName } from './key-files.js';
import { WORKLOAD_KEY_ALG, type WorkloadPublicJwk } from './workload-jwk.js';

/** The request header that carries it, from the gateway to auth; the gateway drops any a client sends. */
export const CLIENT_ADDRESS_HEADER = 'x-airlock-client-address';
/** Its own `typ`, so no client assertion or access token can pass for one, nor one for them. */
export const CLIENT_ADDRESS_TYP = 'airlock-client-address+jwt';
/** Signed per request and verified at once: a captured one is worth seconds. */
export const CLIENT_ADDRESS_LIFETIME_SECONDS = 30;
/** An IPv6 address with a zone id fits; anything longer is not an address. */
const MAX_ADDRESS_LENGTH = 64;

export interface ClientAddressAssertionOptions {
  /** The signer: the edge service's topology name. */
  readonly service: string;
  readonly privateKey: CryptoKey;
  readonly kid: string;
  /** Auth's issuer identifier. */
  readonly audience: string;
  /** The client's address as the gateway's socket saw it. */
  readonly address: string;
  readonly now?: Date;
}

export async function createClientAddressAssertion(options: ClientAddressAssertionOptions): Promise<string> {
  const { service, privateKey, kid, audience, address } = options;
  assertServiceName(service);
  if (address.length === 0 || address.length > MAX_ADDRESS_LENGTH) {
    throw new TypeError(`address must be 1 to ${MAX_ADDRESS_LENGTH} characters`);
  }
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return new SignJWT({ client_address: address })
    .setProtectedHeader({ alg: WORKLOAD_KEY_ALG, kid, typ: CLIENT_ADDRESS_TYP })
    .setIssuer(service)
    .setSubject(service)
    .setAudience(audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + CLIENT_ADDRESS_LIFETIME_SECONDS)
    .sign(privateKey);
}

export interface ClientAddressVerification {
  /** The only service whose word counts: the edge service. */
  readonly service: string;
  /** Its published public key (readWorkloadPublicJwk). */
  readonly publicJwk: WorkloadPublicJwk;
  readonly audience: string;
  readonly now?: Date;
}

/** The address the assertion names, or undefined for anything that is not a valid one from that service. */
export async function verifyClientAddressAssertion(
  assertion: string,
  expected: ClientAddressVerification,
): Promise<string | undefined> {
  try {
    const key = await importJWK({ ...expected.publicJwk }, WORKLOAD_KEY_ALG);
    const { payload } = await jwtVerify(assertion, key, {
      algorithms: [WORKLOAD_KEY_ALG],
      typ: CLIENT_ADDRESS_TYP,
      issuer: expected.service,
      subject: expected.service,
      audience: expected.audience,
      maxTokenAge: CLIENT_ADDRESS_LIFETIME_SECONDS,
      requiredClaims: ['iat', 'exp'],
      ...(expected.now === undefined ? {} : { currentDate: expected.now }),
    });
    const address = payload['client_address'];
    return typeof address === 'string' && address.length > 0 && address.length <= MAX_ADDRESS_LENGTH
      ? address
      : undefined;
  } catch {
    return undefined;
  }
}
