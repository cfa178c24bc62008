// Tells the gateways which access tokens auth stopped honouring (revocation fan-out through Redis): wraps the
// AccessToken adapter so that every removal of a token (RFC 7009 revocation, a revoked grant: refresh-token
// reuse, logout, consent withdrawn) reports the SHA-256 of its value, the key the gateways cache it under.
// Reported after the store changed, so a gateway that asks again at once gets auth's "inactive".
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { hashId } from './oidc-store.js';

export interface RevocationReportingOptions {
  readonly inner: Adapter;
  /** The id hashes of the model's rows of one grant, read before the grant's rows are removed. */
  readonly idHashesOfGrant: (grantId: string) => Promise<readonly string[]>;
  /** Best effort: must not throw (the TTL at the gateways still bounds a lost report). */
  readonly report: (tokenHashes: readonly string[]) => void;
}

export class RevocationReportingAdapter implements Adapter {
  readonly #inner: Adapter;
  readonly #options: RevocationReportingOptions;

  constructor(options: RevocationReportingOptions) {
    this.#inner = options.inner;
    this.#options = options;
  }

  upsert(id: string, payload: AdapterPayload, expiresIn: number): ReturnType<Adapter['upsert']> {
    return this.#inner.upsert(id, payload, expiresIn);
  }

  find(id: string): ReturnType<Adapter['find']> {
    return this.#inner.find(id);
  }

  findByUid(uid: string): ReturnType<Adapter['findByUid']> {
    return this.#inner.findByUid(uid);
  }

  findByUserCode(userCode: string): ReturnType<Adapter['findByUserCode']> {
    return this.#inner.findByUserCode(userCode);
  }

  consume(id: string): ReturnType<Adapter['consume']> {
    return this.#inner.consume(id);
  }

  async destroy(id: string): Promise<undefined> {
    await this.#inner.destroy(id);
    this.#options.report([hashId(id)]);
    return undefined;
  }

  async revokeByGrantId(grantId: string): Promise<undefined> {
    const hashes = await this.#options.idHashesOfGrant(grantId);
    await this.#inner.revokeByGrantId(grantId);
    if (hashes.length > 0) this.#options.report(hashes);
    return undefined;
  }
}
