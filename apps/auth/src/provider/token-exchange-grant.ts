// RFC 8693 token exchange, as a custom grant of oidc-provider. Who may trade which subject token for which
// audience is the topology's rule list and nothing else; every refusal is the RFC error and mints nothing.
// Minted tokens are RFC 9068 JWTs (`typ: at+jwt`) with one audience, at most five minutes of life, and an
// `act` chain naming every service that exchanged on the way (RFC 8693 §4.1: outermost = current actor).
// For an audience that binds operations (payments), a token carries one RFC 9396 authorization detail and lives
// only the topology's seconds, and is minted only against the user's intent for that very operation and object,
// which the subject token carries (the gateway asked for it on the request where the user asked) and which is
// redeemed once. An intent is minted only for the gateway, on an audience and action the topology marks.
import { randomBytes } from 'node:crypto';
import {
  AUTHORIZATION_DETAILS,
  intendedObjectOf,
  parseBoundOperation,
  parseUserIntent,
} from '@airlock/topology';
import type { BoundOperation, TokenExchangeRule, UserIntent } from '@airlock/topology';
import { auditDecision, type Logger } from '@airlock/service-kit';
import { jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { errors, type Provider, type TokenEndpointGrantContext } from 'oidc-provider';
import { END_USER_CLIENT_IDS } from '../clients/client-registry.js';
import type { LoadedSigningKeys } from '../keys/loaded-signing-keys.js';
import { SIGNING_ALG } from '../keys/signing-key-set.js';
import type { UserStore } from '../users/user-store.js';
import { ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from '@airlock/workload-identity';
import { mayHoldScope } from './grant-scopes.js';
import { hashId, type OidcStore } from './oidc-store.js';

/** The longest an internal JWT lives; also bounded by the subject token's own expiry. */
export const INTERNAL_TOKEN_TTL_SECONDS = 300;
/** Scopes about the client's session with auth, meaningless to a service. */
const NON_SERVICE_SCOPES: ReadonlySet<string> = new Set(['openid', 'offline_access']);
/** The record of each minted JWT, so a JWT presented back for exchange can be traced to a live grant. */
export const EXCHANGED_TOKEN_MODEL = 'ExchangedToken';

export const TOKEN_EXCHANGE_PARAMETERS = [
  'subject_token',
  'subject_token_type',
  'audience',
  'resource',
  'scope',
  'requested_token_type',
  'actor_token',
  'actor_token_type',
  AUTHORIZATION_DETAILS,
] as const;

/**
 * oidc-provider insists on a resource indicator whenever `authorization_details` is sent (its RAR support goes with
 * resource indicators), and asks for a default. A token exchange names its target with `audience`, so the default
 * is that audience's URN; a client that sends a resource of its own is still refused.
 */
export function exchangeDefaultResource(params: Readonly<Record<string, unknown>>): string | undefined {
  const { grant_type: grantType, audience, authorization_details: details } = params;
  return grantType === TOKEN_EXCHANGE_GRANT && typeof audience === 'string' && details !== undefined
    ? audienceResource(audience)
    : undefined;
}

function audienceResource(audience: string): string {
  return `urn:airlock:service:${audience}`;
}

function isDefaultedResource(params: ExchangeParams): boolean {
  return (
    params.authorization_details !== undefined &&
    params.audience !== undefined &&
    params.resource === audienceResource(params.audience)
  );
}

export interface Actor {
  readonly sub: string;
  readonly act?: Actor;
}

interface Subject {
  readonly sub: string;
  /** The end-user client the user signed in with (e.g. airlock-cli). */
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly exp: number;
  readonly act: Actor | undefined;
  readonly grantId: string;
  /** Hash of the client's opaque access token this chain started from. */
  readonly sourceHash: string;
  /** A service's subject JWT: its id (what redeeming its intent consumes) and the intent it carries, if any. */
  readonly jti?: string;
  readonly intent?: UserIntent;
}

interface ExchangedTokenRecord {
  readonly sub: string;
  readonly clientId: string;
  readonly aud: string;
  readonly grantId: string;
  readonly sourceHash: string;
  readonly [key: string]: unknown;
}

export interface TokenExchangeDeps {
  readonly issuer: string;
  readonly rules: readonly TokenExchangeRule[];
  readonly keys: () => LoadedSigningKeys;
  readonly store: OidcStore;
  readonly users: UserStore;
  readonly logger: Logger;
  /** Epoch milliseconds; injectable for tests. */
  readonly now?: () => number;
}

type ExchangeParams = Partial<Record<(typeof TOKEN_EXCHANGE_PARAMETERS)[number], string>>;
type ExchangeContext = TokenEndpointGrantContext<ExchangeParams>;

class Refusal extends Error {
  readonly error: InstanceType<typeof errors.OIDCProviderError>;
  readonly reason: string;

  constructor(reason: string, error: InstanceType<typeof errors.OIDCProviderError>) {
    super(reason);
    this.reason = reason;
    this.error = error;
  }
}

export function tokenExchangeHandler(deps: TokenExchangeDeps): (ctx: ExchangeContext) => Promise<void> {
  const now = deps.now ?? Date.now;
  return async (ctx) => {
    const requester = ctx.oidc.client.clientId;
    const audience = ctx.oidc.params.audience;
    try {
      const issued = await exchange(ctx, deps, Math.floor(now() / 1000));
      auditDecision(deps.logger, {
        route: 'POST /auth/token (token-exchange)',
        caller: requester,
        subject: issued.sub,
        client: issued.clientId,
        decision: 'allow',
        reason: `issued_for_${issued.audience}`,
      });
      ctx.body = issued.response;
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      auditDecision(deps.logger, {
        route: 'POST /auth/token (token-exchange)',
        caller: requester,
        decision: 'deny',
        reason: audience === undefined ? error.reason : `${error.reason} (audience ${audience.slice(0, 40)})`,
      });
      throw error.error;
    }
  };
}

async function exchange(ctx: ExchangeContext, deps: TokenExchangeDeps, now: number) {
  const { client, params, provider } = ctx.oidc;
  const requester = client.clientId;
  const mine = deps.rules.filter((rule) => rule.requester === requester);
  if (mine.length === 0) {
    throw new Refusal(
      'requester_not_allowed',
      new errors.UnauthorizedClient('the client may not exchange tokens'),
    );
  }
  if (params.actor_token !== undefined || params.actor_token_type !== undefined) {
    throw new Refusal('actor_token', new errors.InvalidRequest('actor_token is not supported'));
  }
  const subjectToken = params.subject_token;
  if (subjectToken === undefined || subjectToken.length === 0) {
    throw new Refusal(
      'missing_subject_token',
      new errors.InvalidRequest('missing required parameter subject_token'),
    );
  }
  if (params.subject_token_type !== ACCESS_TOKEN_TYPE) {
    throw new Refusal(
      'subject_token_type',
      new errors.InvalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}`),
    );
  }
  const requestedType = params.requested_token_type ?? ACCESS_TOKEN_TYPE;
  if (requestedType !== ACCESS_TOKEN_TYPE && requestedType !== JWT_TOKEN_TYPE) {
    throw new Refusal(
      'requested_token_type',
      new errors.InvalidRequest('requested_token_type must be an access token or a JWT'),
    );
  }
  if (params.resource !== undefined && !isDefaultedResource(params)) {
    throw new Refusal(
      'resource_parameter',
      new errors.InvalidTarget('name the target service with the audience parameter, not resource'),
    );
  }
  const audience = params.audience;
  if (audience === undefined || audience.length === 0) {
    throw new Refusal('missing_audience', new errors.InvalidRequest('missing required parameter audience'));
  }
  const rule = mine.find((candidate) => candidate.audience === audience);
  if (rule === undefined) {
    throw new Refusal(
      'audience_not_allowed',
      new errors.InvalidTarget('the client may not obtain tokens for this audience'),
    );
  }

  const subject =
    rule.subjectToken === 'client_access_token'
      ? await clientAccessTokenSubject(provider, subjectToken)
      : await serviceTokenSubject(provider, deps, subjectToken, rule.subjectAudience, now);

  const user = deps.users.find(subject.sub);
  if (user === undefined) {
    throw new Refusal('unknown_user', new errors.InvalidGrant('the subject token is not active'));
  }
  // The role is checked again here, not only at sign-in: a user who lost it stops getting admin inward.
  // Least privilege: only the scopes the topology gives the audience's routes travel on (scopesOfAudience).
  const held = subject.scopes.filter((scope) => mayHoldScope(user, scope) && rule.scopes.includes(scope));
  const scopes = narrowScopes(held, params.scope);
  const detail = authorizationDetailOf(rule, params.authorization_details, scopes);
  if (detail?.kind === 'operation') requireIntentFor(rule, detail.value, subject);
  const lifetime =
    detail?.kind === 'operation'
      ? (rule.binding?.lifetimeSeconds ?? INTERNAL_TOKEN_TTL_SECONDS)
      : detail?.kind === 'intent'
        ? (rule.intents?.lifetimeSeconds ?? INTERNAL_TOKEN_TTL_SECONDS)
        : INTERNAL_TOKEN_TTL_SECONDS;
  const exp = Math.min(now + lifetime, subject.exp);
  if (exp <= now)
    throw new Refusal('subject_expired', new errors.InvalidGrant('the subject token is not active'));
  // Last, once everything else holds: the user's one ask is spent by exactly one exchange, on any replica.
  if (detail?.kind === 'operation' && !(await redeemIntent(deps.store, subject))) {
    throw new Refusal(
      'intent_already_redeemed',
      new errors.InvalidGrant('the subject token carries no unredeemed intent for this operation'),
    );
  }
  const details = detail === undefined ? {} : { [AUTHORIZATION_DETAILS]: [detail.value] };

  const act: Actor = subject.act === undefined ? { sub: requester } : { sub: requester, act: subject.act };
  const jti = randomBytes(32).toString('base64url');
  const keys = deps.keys();
  // A service whose routes ask for no scope gets a token without the claim: an empty `scope` is not a valid one.
  const scopeClaim = scopes.length === 0 ? {} : { scope: scopes.join(' ') };
  const accessToken = await new SignJWT({
    client_id: subject.clientId,
    ...scopeClaim,
    act: { ...act },
    ...details,
  })
    .setProtectedHeader({ alg: SIGNING_ALG, kid: keys.activeKid, typ: 'at+jwt' })
    .setIssuer(deps.issuer)
    .setSubject(subject.sub)
    .setAudience(audience)
    .setJti(jti)
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .sign(keys.signingKey);

  const record: ExchangedTokenRecord = {
    sub: subject.sub,
    clientId: subject.clientId,
    aud: audience,
    grantId: subject.grantId,
    sourceHash: subject.sourceHash,
  };
  await deps.store.adapterFor(EXCHANGED_TOKEN_MODEL).upsert(jti, record, exp - now);

  return {
    sub: subject.sub,
    clientId: subject.clientId,
    audience,
    response: {
      access_token: accessToken,
      issued_token_type: requestedType,
      token_type: 'Bearer',
      expires_in: exp - now,
      ...scopeClaim,
      ...details,
    },
  };
}

/** The gateway's case: an opaque access token that auth issued to an end-user client and that is still live. */
async function clientAccessTokenSubject(provider: Provider, value: string): Promise<Subject> {
  const inactive = () =>
    new Refusal('subject_not_active', new errors.InvalidGrant('the subject token is not active'));
  const token = await provider.AccessToken.find(value);
  if (token === undefined || !token.isValid) throw inactive();
  const { accountId, clientId, grantId } = token;
  const exp: unknown = token.exp;
  // Typed as always present, but a stored token is data: check rather than trust the declaration.
  if (!isString(accountId) || !isString(clientId) || !isString(grantId) || typeof exp !== 'number') {
    throw inactive();
  }
  // Only tokens issued to end users' clients stand for a user; nothing a service holds can be upgraded.
  if (!END_USER_CLIENT_IDS.has(clientId)) throw inactive();
  const grant = await provider.Grant.find(grantId);
  if (grant === undefined || grant.clientId !== clientId || grant.accountId !== accountId) throw inactive();
  return {
    sub: accountId,
    clientId,
    scopes: splitScope(token.scope),
    exp,
    act: undefined,
    grantId,
    sourceHash: hashId(value),
  };
}

/**
 * A service's case: a JWT auth minted for this very service (aud = the requester), verified like any
 * consumer would, and traced through auth's record back to a grant and opaque token that are still live,
 * so revoking the user's token stops the whole chain at once.
 */
async function serviceTokenSubject(
  provider: Provider,
  deps: TokenExchangeDeps,
  value: string,
  subjectAudience: string,
  now: number,
): Promise<Subject> {
  const inactive = (reason: string) =>
    new Refusal(reason, new errors.InvalidGrant('the subject token is not active'));
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(value, deps.keys().verificationKeys, {
      algorithms: [SIGNING_ALG],
      issuer: deps.issuer,
      audience: subjectAudience,
      typ: 'at+jwt',
      requiredClaims: ['sub', 'jti', 'exp', 'iat', 'client_id'],
      currentDate: new Date(now * 1000),
    }));
  } catch {
    throw inactive('subject_jwt_invalid');
  }
  const { sub, jti, exp, client_id: clientId, scope, act, [AUTHORIZATION_DETAILS]: details } = payload;
  if (
    typeof sub !== 'string' ||
    typeof jti !== 'string' ||
    typeof exp !== 'number' ||
    typeof clientId !== 'string'
  ) {
    throw inactive('subject_jwt_invalid');
  }
  if (typeof payload.aud !== 'string' || !isActor(act)) throw inactive('subject_jwt_invalid');
  // Auth signed whatever detail is there; anything but one well-formed intent carries no intent at all.
  const intent = details === undefined ? undefined : parseUserIntent(details);
  const record = (await deps.store.adapterFor(EXCHANGED_TOKEN_MODEL).find(jti)) as
    ExchangedTokenRecord | undefined;
  if (
    record === undefined ||
    record.sub !== sub ||
    record.aud !== subjectAudience ||
    record.clientId !== clientId
  ) {
    throw inactive('subject_jwt_unknown');
  }
  const grant = await provider.Grant.find(record.grantId);
  if (
    grant === undefined ||
    grant.accountId !== sub ||
    !(await deps.store.existsByHash('AccessToken', record.sourceHash))
  ) {
    throw inactive('subject_revoked');
  }
  return {
    sub,
    clientId,
    scopes: splitScope(typeof scope === 'string' ? scope : undefined),
    exp,
    act,
    grantId: record.grantId,
    sourceHash: record.sourceHash,
    jti,
    ...(intent === undefined ? {} : { intent }),
  };
}

type AuthorizationDetail =
  | { readonly kind: 'operation'; readonly value: BoundOperation }
  | { readonly kind: 'intent'; readonly value: UserIntent };

/**
 * The one detail the new token carries: a bound operation (every token for a binding audience), a user's intent
 * (only when the rule conveys intents and the requester asks for one), or none. Each needs the scopes of the
 * route it stands for (a refund, the admin scope), which the token will carry.
 */
function authorizationDetailOf(
  rule: TokenExchangeRule,
  raw: string | undefined,
  scopes: readonly string[],
): AuthorizationDetail | undefined {
  const needs = (required: readonly string[] | undefined, reason: string) => {
    const missing = required === undefined ? ['?'] : required.filter((scope) => !scopes.includes(scope));
    if (missing.length > 0) {
      throw new Refusal(
        reason,
        new errors.InvalidScope('the subject token lacks the scope this needs', missing.join(' ')),
      );
    }
  };
  if (rule.binding !== undefined) {
    const operation = boundOperationOf(rule, raw);
    needs(rule.binding.operationScopes[operation.actions[0]], 'operation_scope_not_held');
    return { kind: 'operation', value: operation };
  }
  if (raw === undefined) return undefined;
  if (rule.intents === undefined) {
    throw new Refusal(
      'authorization_details_not_allowed',
      new errors.InvalidAuthorizationDetails('this audience takes no authorization_details'),
    );
  }
  const intent = parseUserIntent(parseJson(raw));
  const action = intent?.actions[0];
  if (
    intent === undefined ||
    intent.type !== rule.intents.detailsType ||
    action === undefined ||
    !Object.hasOwn(rule.intents.actions, action)
  ) {
    throw new Refusal(
      'intent_invalid',
      new errors.InvalidAuthorizationDetails('authorization_details names no intent of this audience'),
    );
  }
  needs(rule.intents.actions[action], 'intent_scope_not_held');
  return { kind: 'intent', value: intent };
}

/** A bound operation is minted only against the user's intent for the same action on the same object. */
function requireIntentFor(rule: TokenExchangeRule, operation: BoundOperation, subject: Subject): void {
  const { intent } = subject;
  if (intent === undefined || subject.jti === undefined) {
    throw new Refusal(
      'intent_required',
      new errors.InvalidGrant('the subject token carries no intent for this operation'),
    );
  }
  if (
    intent.type !== rule.binding?.intentType ||
    intent.actions[0] !== operation.actions[0] ||
    intent.identifier !== intendedObjectOf(operation)
  ) {
    throw new Refusal(
      'intent_mismatch',
      new errors.InvalidGrant('the subject token carries no intent for this operation'),
    );
  }
}

/**
 * Spends the subject token's intent: its exchange record (kept until the token expires) is consumed once, in
 * auth's database, so every replica on PostgreSQL sees the same single redemption.
 */
function redeemIntent(store: OidcStore, subject: Subject): Promise<boolean> {
  return subject.jti === undefined
    ? Promise.resolve(false)
    : store.consumeOnce(EXCHANGED_TOKEN_MODEL, subject.jti);
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The one operation a token for a binding audience is worth (RFC 9396). Auth cannot know whether the user owns
 * the order or what it costs; it checks what it can: exactly one well-formed detail of the topology's type and
 * one of its operations, asked by the requester the topology allows, on a subject token that is the user's own
 * live token (checked above). The callee compares the detail with the request, and uses the token once.
 */
function boundOperationOf(rule: TokenExchangeRule, raw: string | undefined): BoundOperation {
  const refuse = (reason: string, description: string) =>
    new Refusal(reason, new errors.InvalidAuthorizationDetails(description));
  if (rule.binding === undefined) {
    throw refuse('authorization_details_not_allowed', 'this audience takes no authorization_details');
  }
  if (raw === undefined) {
    throw refuse('authorization_details_required', 'a token for this audience is bound to one operation');
  }
  const operation = parseBoundOperation(parseJson(raw));
  if (
    operation === undefined ||
    operation.type !== rule.binding.detailsType ||
    !rule.binding.operations.includes(operation.actions[0])
  ) {
    throw refuse(
      'authorization_details_invalid',
      'authorization_details names no operation of this audience',
    );
  }
  return operation;
}

/** Scopes can only narrow: the requested ones must all be held by the subject and given to the audience. */
function narrowScopes(held: readonly string[], requested: string | undefined): string[] {
  const available = held.filter((scope) => !NON_SERVICE_SCOPES.has(scope));
  if (requested === undefined) return available;
  const wanted = [...new Set(splitScope(requested))];
  const missing = wanted.filter((scope) => !available.includes(scope));
  if (missing.length > 0) {
    throw new Refusal(
      'scope_not_held',
      new errors.InvalidScope('requested scope exceeds the subject token', missing.join(' ')),
    );
  }
  return wanted;
}

function isString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function splitScope(scope: string | undefined): string[] {
  return scope === undefined ? [] : scope.split(' ').filter((entry) => entry.length > 0);
}

const MAX_ACTOR_DEPTH = 8;

function isActor(value: unknown, depth = 0): value is Actor | undefined {
  if (value === undefined) return true;
  if (depth >= MAX_ACTOR_DEPTH || typeof value !== 'object' || value === null) return false;
  const { sub, act, ...rest } = value as Record<string, unknown>;
  return typeof sub === 'string' && Object.keys(rest).length === 0 && isActor(act, depth + 1);
}
