// What a user's grant to a first-party client holds: the requested scopes the user may have. `admin` is
// recorded as rejected for users without the admin role, so the client gets a token without it (and is not
// sent back to a consent screen that does not exist).
import type { Grant } from 'oidc-provider';
import { USER_SCOPES } from '../clients/client-registry.js';
import type { User } from '../users/user-store.js';

const KNOWN: ReadonlySet<string> = new Set(USER_SCOPES);

export function mayHoldScope(user: User, scope: string): boolean {
  return scope !== 'admin' || user.roles.includes('admin');
}

export function applyRequestedScopes(grant: Grant, requested: unknown, user: User): void {
  const scopes =
    typeof requested === 'string' ? requested.split(' ').filter((scope) => KNOWN.has(scope)) : [];
  const allowed = scopes.filter((scope) => mayHoldScope(user, scope));
  const refused = scopes.filter((scope) => !mayHoldScope(user, scope));
  if (allowed.length > 0) grant.addOIDCScope(allowed);
  if (refused.length > 0) grant.rejectOIDCScope(refused);
}
