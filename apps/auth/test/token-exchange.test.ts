// Acceptance: RFC 8693 token exchange against the running auth, with each service's own workload keys and
// private_key_jwt assertions. Every success case of the topology's rules, and every refusal with its RFC
// error and nothing minted. Also: introspection is the gateway's alone, and image-processor obtains nothing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTokenVerifier } from '@airlock/token-verification';
import { airlockTopology, tokenExchangeRules } from '@airlock/topology';
import { createClientAssertion } from '@airlock/workload-identity';
import { decodeProtectedHeader, generateKeyPair, SignJWT, decodeJwt } from 'jose';
import * as client from 'openid-client';
import {
  DEMO_PASSWORD,
  removeDataDir,
  startAuth,
  storedRowCount,
  type RunningAuth,
} from './support/auth-server.js';
import { startLoopbackCallback, type LoopbackCallback } from '@airlock/client/loopback-callback';
import { codeFlow, discoverPublicClient } from './support/oauth-client.js';
import {
  keyOf,
  ACCESS_TOKEN_TYPE,
  clientAuthFields,
  exchangeAs,
  introspectAs,
  postForm,
  setUpWorkloads,
  TOKEN_EXCHANGE,
  type Workloads,
  chargeDetails,
  CHARGED_ORDER,
  intentDetails,
} from './support/workloads.js';
import { DATABASE_ENGINES, useTestDatabases } from '@airlock/testing/database-engines';

describe.each(DATABASE_ENGINES)('on %s', (engine) => {
  const databases = useTestDatabases(engine);
  let server: RunningAuth;
  const logLines: string[] = [];
  let workloads: Workloads;
  let cli: client.Configuration;
  let loopback: LoopbackCallback;
  /** alice: openid offline_access orders images */
  let aliceToken: string;
  let aliceRefreshToken: string;
  /** carol (admin): openid orders admin */
  let carolToken: string;

  async function signIn(username: string, scope: string) {
    const { tokens } = await codeFlow(cli, { redirectUri: loopback.redirectUri, scope, username });
    return tokens;
  }

  function exchangedCount(): Promise<number> {
    return storedRowCount(server, 'ExchangedToken');
  }

  function verifierFor(audience: string) {
    return createTokenVerifier({
      issuer: server.issuer,
      audience,
      algorithms: ['ES256'],
      jwks: new URL(`${server.issuer}/jwks`),
    });
  }

  async function exchangeOk(service: 'gateway' | 'orders', fields: Record<string, string>): Promise<string> {
    const { status, body } = await exchangeAs(workloads, service, fields);
    expect({ status, error: body.error }).toEqual({ status: 200, error: undefined });
    return String(body.access_token);
  }

  /** The orders token the gateway obtains on the request where the user asks to pay (the charged order). */
  function ordersTokenWithIntent(subjectToken: string, details = intentDetails()): Promise<string> {
    return exchangeOk('gateway', {
      subject_token: subjectToken,
      audience: 'orders',
      authorization_details: details,
    });
  }

  beforeAll(async () => {
    server = await startAuth({ logLines, database: await databases.next() });
    workloads = await setUpWorkloads(server);
    cli = await discoverPublicClient(server.issuer, 'airlock-cli');
    loopback = await startLoopbackCallback();
    const alice = await signIn('alice', 'openid offline_access orders images');
    aliceToken = alice.access_token;
    aliceRefreshToken = alice.refresh_token ?? '';
    carolToken = (await signIn('carol', 'openid orders admin')).access_token;
  });

  afterAll(async () => {
    await loopback.close();
    await server.stop();
    await removeDataDir(server.dataDir);
  });

  describe('gateway: client opaque token -> JWT for one internal audience', () => {
    it('mints an RFC 9068 JWT for orders that token-verification accepts', async () => {
      const before = Math.floor(Date.now() / 1000);
      const { status, body, headers } = await exchangeAs(workloads, 'gateway', {
        subject_token: aliceToken,
        audience: 'orders',
      });
      expect(status).toBe(200);
      expect(headers.get('cache-control')).toContain('no-store');
      expect(body).toMatchObject({
        issued_token_type: ACCESS_TOKEN_TYPE,
        token_type: 'Bearer',
        // Alice holds `orders images`; orders' routes require only `orders` (issue 11, finding 8).
        scope: 'orders',
      });
      expect(body.expires_in).toBeLessThanOrEqual(300);
      const jwt = String(body.access_token);
      expect(decodeProtectedHeader(jwt)).toEqual({
        alg: 'ES256',
        typ: 'at+jwt',
        kid: server.auth.signingKeys().activeKid,
      });
      const verified = await verifierFor('orders').verify(jwt);
      expect(verified).toMatchObject({
        iss: server.issuer,
        sub: 'alice',
        aud: 'orders',
        client_id: 'airlock-cli',
        scope: 'orders',
        act: { sub: 'gateway' },
      });
      expect(typeof verified.jti).toBe('string');
      expect(verified.exp - verified.iat).toBeLessThanOrEqual(300);
      expect(verified.iat).toBeGreaterThanOrEqual(before);
      expect(decodeJwt(jwt).aud).toBe('orders');
    });

    it('mints one for image-processor, refused by a verifier for any other audience', async () => {
      const jwt = await exchangeOk('gateway', { subject_token: aliceToken, audience: 'image-processor' });
      await expect(verifierFor('image-processor').verify(jwt)).resolves.toMatchObject({
        aud: 'image-processor',
      });
      await expect(verifierFor('orders').verify(jwt)).rejects.toMatchObject({ code: 'claim_invalid' });
    });

    it('narrows scopes on request and gives every token its own jti', async () => {
      const first = await exchangeOk('gateway', {
        subject_token: aliceToken,
        audience: 'orders',
        scope: 'orders',
      });
      const second = await exchangeOk('gateway', {
        subject_token: aliceToken,
        audience: 'orders',
        scope: 'orders',
      });
      expect(decodeJwt(first).scope).toBe('orders');
      expect(decodeJwt(first).jti).not.toBe(decodeJwt(second).jti);
    });

    it('never outlives the subject token', async () => {
      const jwt = await exchangeOk('gateway', { subject_token: aliceToken, audience: 'orders' });
      const introspection = await introspectAs(workloads, 'gateway', aliceToken);
      expect(decodeJwt(jwt).exp).toBeLessThanOrEqual(Number(introspection.body.exp));
    });

    it('works from a standard client library (openid-client, PrivateKeyJwt)', async () => {
      const gateway = await client.discovery(
        new URL(server.issuer),
        'gateway',
        { token_endpoint_auth_signing_alg: 'ES256' },
        client.PrivateKeyJwt({
          key: keyOf(workloads, 'gateway').privateKey,
          kid: keyOf(workloads, 'gateway').kid,
        }),
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- plain http is what the loopback test issuer speaks.
        { execute: [client.allowInsecureRequests] },
      );
      const response = await client.genericGrantRequest(gateway, TOKEN_EXCHANGE, {
        subject_token: aliceToken,
        subject_token_type: ACCESS_TOKEN_TYPE,
        audience: 'orders',
      });
      expect(response.issued_token_type).toBe(ACCESS_TOKEN_TYPE);
      await expect(verifierFor('orders').verify(response.access_token)).resolves.toMatchObject({
        sub: 'alice',
      });
    });
  });

  describe('each audience gets only the scopes the topology gives its routes (issue 11, finding 8)', () => {
    /** carol (admin), signed in with every scope a user can hold. */
    let adminToken: string;

    beforeAll(async () => {
      adminToken = (await signIn('carol', 'openid orders images admin')).access_token;
    });

    it('gives image-processor only `images`, and orders only `orders admin`, from a token holding all three', async () => {
      const image = await exchangeOk('gateway', { subject_token: adminToken, audience: 'image-processor' });
      const orders = await ordersTokenWithIntent(adminToken);
      expect(decodeJwt(image).scope).toBe('images');
      expect(decodeJwt(orders).scope).toBe('orders admin');
      const payments = await exchangeOk('orders', {
        subject_token: orders,
        audience: 'payments',
        authorization_details: chargeDetails(),
      });
      expect(decodeJwt(payments).scope).toBe('orders admin');
    });

    it('never mints a scope outside scopesOfAudience, for every rule the topology derives', async () => {
      for (const rule of tokenExchangeRules(airlockTopology)) {
        const subject =
          rule.subjectToken === 'client_access_token'
            ? adminToken
            : await exchangeOk('gateway', {
                subject_token: adminToken,
                audience: rule.subjectAudience,
                ...(rule.binding === undefined ? {} : { authorization_details: intentDetails() }),
              });
        const jwt = await exchangeOk(rule.requester as 'gateway' | 'orders', {
          subject_token: subject,
          audience: rule.audience,
          ...(rule.binding === undefined ? {} : { authorization_details: chargeDetails() }),
        });
        const minted = String(decodeJwt(jwt).scope).split(' ');
        expect({ audience: rule.audience, extra: minted.filter((s) => !rule.scopes.includes(s)) }).toEqual({
          audience: rule.audience,
          extra: [],
        });
      }
    });

    it('refuses a scope the audience is not given, even when the subject holds it (invalid_scope)', async () => {
      const { status, body } = await exchangeAs(workloads, 'gateway', {
        subject_token: adminToken,
        audience: 'image-processor',
        scope: 'images orders',
      });
      expect({ status, error: body.error, token: body.access_token }).toEqual({
        status: 400,
        error: 'invalid_scope',
        token: undefined,
      });
    });
  });

  describe('orders: its own JWT -> JWT for payments with the actor chain', () => {
    it('mints aud payments with act { sub: orders, act: { sub: gateway } }', async () => {
      const ordersJwt = await ordersTokenWithIntent(aliceToken);
      const paymentsJwt = await exchangeOk('orders', {
        subject_token: ordersJwt,
        audience: 'payments',
        authorization_details: chargeDetails(),
      });
      const verified = await verifierFor('payments').verify(paymentsJwt);
      expect(verified).toMatchObject({
        sub: 'alice',
        aud: 'payments',
        client_id: 'airlock-cli',
        act: { sub: 'orders' },
      });
      expect(verified.claims.act).toEqual({ sub: 'orders', act: { sub: 'gateway' } });
      expect(verified.exp).toBeLessThanOrEqual(Number(decodeJwt(ordersJwt).exp));
    });

    it("keeps carol's admin scope through both exchanges", async () => {
      const ordersJwt = await ordersTokenWithIntent(carolToken);
      expect(decodeJwt(ordersJwt).scope).toBe('orders admin');
      const paymentsJwt = await exchangeOk('orders', {
        subject_token: ordersJwt,
        audience: 'payments',
        authorization_details: chargeDetails(),
      });
      await expect(verifierFor('payments').verify(paymentsJwt)).resolves.toMatchObject({
        sub: 'carol',
        scopes: ['orders', 'admin'],
      });
    });
  });

  describe('refusals: the RFC error, and nothing minted', () => {
    let ordersJwt: string;
    let imageJwt: string;

    beforeAll(async () => {
      ordersJwt = await exchangeOk('gateway', { subject_token: aliceToken, audience: 'orders' });
      imageJwt = await exchangeOk('gateway', { subject_token: aliceToken, audience: 'image-processor' });
    });

    async function expectRefusal(
      request: Promise<{ status: number; body: Record<string, unknown> }>,
      error: string,
      status = 400,
    ): Promise<void> {
      const minted = await exchangedCount();
      const { status: actualStatus, body } = await request;
      expect({ status: actualStatus, error: body.error, token: body.access_token }).toEqual({
        status,
        error,
        token: undefined,
      });
      expect(await exchangedCount()).toBe(minted);
    }

    /** The gateway's usual request for alice's token, authenticated as `clientId` with a given assertion. */
    function exchangeWithAssertion(clientId: string, assertion: string) {
      return postForm(`${server.issuer}/token`, {
        grant_type: TOKEN_EXCHANGE,
        client_id: clientId,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        subject_token: aliceToken,
        subject_token_type: ACCESS_TOKEN_TYPE,
        audience: 'orders',
      });
    }

    describe('invalid_client', () => {
      it('for an unknown client', async () => {
        const { privateKey, kid } = keyOf(workloads, 'gateway');
        const assertion = await createClientAssertion({
          service: 'billing',
          privateKey,
          kid,
          audience: server.issuer,
        });
        await expectRefusal(exchangeWithAssertion('billing', assertion), 'invalid_client', 401);
      });

      it('for a service that does not authenticate', async () => {
        await expectRefusal(
          postForm(`${server.issuer}/token`, {
            grant_type: TOKEN_EXCHANGE,
            client_id: 'gateway',
            subject_token: aliceToken,
            subject_token_type: ACCESS_TOKEN_TYPE,
            audience: 'orders',
          }),
          'invalid_client',
          401,
        );
      });

      it("for an assertion signed with another service's key", async () => {
        const { privateKey, kid } = keyOf(workloads, 'orders');
        const assertion = await createClientAssertion({
          service: 'gateway',
          privateKey,
          kid,
          audience: server.issuer,
        });
        await expectRefusal(exchangeWithAssertion('gateway', assertion), 'invalid_client', 401);
      });

      it('for an assertion addressed to the token endpoint rather than the issuer', async () => {
        const { privateKey, kid } = keyOf(workloads, 'gateway');
        const assertion = await createClientAssertion({
          service: 'gateway',
          privateKey,
          kid,
          audience: `${server.issuer}/token`,
        });
        await expectRefusal(exchangeWithAssertion('gateway', assertion), 'invalid_client', 401);
      });

      it('for a replayed assertion', async () => {
        const fields = {
          grant_type: TOKEN_EXCHANGE,
          ...(await clientAuthFields(workloads, 'gateway')),
          subject_token: aliceToken,
          subject_token_type: ACCESS_TOKEN_TYPE,
          audience: 'orders',
        };
        expect((await postForm(`${server.issuer}/token`, fields)).status).toBe(200);
        await expectRefusal(postForm(`${server.issuer}/token`, fields), 'invalid_client', 401);
      });

      it('for a long-lived assertion', async () => {
        const { privateKey, kid } = keyOf(workloads, 'gateway');
        const assertion = await new SignJWT({})
          .setProtectedHeader({ alg: 'ES256', kid })
          .setIssuer('gateway')
          .setSubject('gateway')
          .setAudience(server.issuer)
          .setJti(`long-${Date.now()}`)
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(privateKey);
        await expectRefusal(exchangeWithAssertion('gateway', assertion), 'invalid_client', 401);
      });
    });

    describe('unauthorized_client', () => {
      it.each(['payments', 'image-processor'] as const)(
        'for %s, which may exchange nothing',
        async (service) => {
          await expectRefusal(
            exchangeAs(workloads, service, { subject_token: aliceToken, audience: 'orders' }),
            'unauthorized_client',
          );
        },
      );

      it('for the public CLI client', async () => {
        await expectRefusal(
          postForm(`${server.issuer}/token`, {
            grant_type: TOKEN_EXCHANGE,
            client_id: 'airlock-cli',
            subject_token: aliceToken,
            subject_token_type: ACCESS_TOKEN_TYPE,
            audience: 'orders',
          }),
          'unauthorized_client',
        );
      });
    });

    describe('invalid_target', () => {
      it.each(['payments', 'auth', 'gateway', 'billing', 'http://orders'])(
        'gateway asking for %s',
        async (audience) => {
          await expectRefusal(
            exchangeAs(workloads, 'gateway', { subject_token: aliceToken, audience }),
            'invalid_target',
          );
        },
      );

      it.each(['orders', 'image-processor', 'gateway'])('orders asking for %s', async (audience) => {
        await expectRefusal(
          exchangeAs(workloads, 'orders', { subject_token: ordersJwt, audience }),
          'invalid_target',
        );
      });

      it('a resource indicator instead of an audience', async () => {
        await expectRefusal(
          exchangeAs(workloads, 'gateway', {
            subject_token: aliceToken,
            audience: 'orders',
            resource: 'https://orders.internal/',
          }),
          'invalid_target',
        );
      });
    });

    describe('invalid_grant', () => {
      it('for a token auth never issued', async () => {
        await expectRefusal(
          exchangeAs(workloads, 'gateway', { subject_token: 'x'.repeat(43), audience: 'orders' }),
          'invalid_grant',
        );
      });

      it('for a refresh token presented as an access token', async () => {
        await expectRefusal(
          exchangeAs(workloads, 'gateway', { subject_token: aliceRefreshToken, audience: 'orders' }),
          'invalid_grant',
        );
      });

      it('for a JWT presented to the gateway rule (clients only hold opaque tokens)', async () => {
        await expectRefusal(
          exchangeAs(workloads, 'gateway', { subject_token: ordersJwt, audience: 'orders' }),
          'invalid_grant',
        );
      });

      it('for an opaque token presented by orders', async () => {
        await expectRefusal(
          exchangeAs(workloads, 'orders', { subject_token: aliceToken, audience: 'payments' }),
          'invalid_grant',
        );
      });

      it('for a JWT addressed to another service', async () => {
        await expectRefusal(
          exchangeAs(workloads, 'orders', { subject_token: imageJwt, audience: 'payments' }),
          'invalid_grant',
        );
      });

      it('for a JWT with a tampered payload', async () => {
        const [header, , signature] = ordersJwt.split('.');
        const payload = Buffer.from(JSON.stringify({ ...decodeJwt(ordersJwt), sub: 'carol' })).toString(
          'base64url',
        );
        await expectRefusal(
          exchangeAs(workloads, 'orders', {
            subject_token: `${header ?? ''}.${payload}.${signature ?? ''}`,
            audience: 'payments',
          }),
          'invalid_grant',
        );
      });

      it('for a look-alike JWT signed by another key', async () => {
        const { privateKey } = await generateKeyPair('ES256');
        const forged = await new SignJWT({ ...decodeJwt(ordersJwt) })
          .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: server.auth.signingKeys().activeKid })
          .sign(privateKey);
        await expectRefusal(
          exchangeAs(workloads, 'orders', { subject_token: forged, audience: 'payments' }),
          'invalid_grant',
        );
      });

      it('for a revoked opaque token, and at once for every JWT derived from it', async () => {
        const tokens = await signIn('bob', 'openid orders');
        const bobOrders = await exchangeOk('gateway', {
          subject_token: tokens.access_token,
          audience: 'orders',
        });
        await client.tokenRevocation(cli, tokens.access_token);
        await expectRefusal(
          exchangeAs(workloads, 'gateway', { subject_token: tokens.access_token, audience: 'orders' }),
          'invalid_grant',
        );
        await expectRefusal(
          exchangeAs(workloads, 'orders', { subject_token: bobOrders, audience: 'payments' }),
          'invalid_grant',
        );
      });
    });

    describe('invalid_scope', () => {
      it('for a scope the subject token does not hold', async () => {
        await expectRefusal(
          exchangeAs(workloads, 'gateway', {
            subject_token: aliceToken,
            audience: 'orders',
            scope: 'orders admin',
          }),
          'invalid_scope',
        );
      });

      it('for orders widening the scope of the token it received', async () => {
        const narrow = await exchangeOk('gateway', {
          subject_token: aliceToken,
          audience: 'orders',
          scope: 'orders',
        });
        await expectRefusal(
          exchangeAs(workloads, 'orders', {
            subject_token: narrow,
            audience: 'payments',
            scope: 'orders images',
          }),
          'invalid_scope',
        );
      });
    });

    describe('invalid_request', () => {
      it('without a subject token', async () => {
        await expectRefusal(exchangeAs(workloads, 'gateway', { audience: 'orders' }), 'invalid_request');
      });

      it('with another subject token type', async () => {
        await expectRefusal(
          exchangeAs(workloads, 'gateway', {
            subject_token: aliceToken,
            audience: 'orders',
            subject_token_type: 'urn:ietf:params:oauth:token-type:refresh_token',
          }),
          'invalid_request',
        );
      });

      it('without an audience', async () => {
        await expectRefusal(
          exchangeAs(workloads, 'gateway', { subject_token: aliceToken }),
          'invalid_request',
        );
      });

      it('with two audiences', async () => {
        const body = new URLSearchParams({
          grant_type: TOKEN_EXCHANGE,
          ...(await clientAuthFields(workloads, 'gateway')),
          subject_token: aliceToken,
          subject_token_type: ACCESS_TOKEN_TYPE,
          audience: 'orders',
        });
        body.append('audience', 'image-processor');
        const response = await fetch(`${server.issuer}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: body.toString(),
        });
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({ error: 'invalid_request' });
      });

      it('with an actor token', async () => {
        await expectRefusal(
          exchangeAs(workloads, 'gateway', {
            subject_token: aliceToken,
            audience: 'orders',
            actor_token: ordersJwt,
            actor_token_type: ACCESS_TOKEN_TYPE,
          }),
          'invalid_request',
        );
      });

      it('with an unknown requested token type', async () => {
        await expectRefusal(
          exchangeAs(workloads, 'gateway', {
            subject_token: aliceToken,
            audience: 'orders',
            requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token',
          }),
          'invalid_request',
        );
      });
    });
  });

  describe('payments tokens bound to one operation (issue 11, finding 7)', () => {
    let ordersJwt: string;

    beforeAll(async () => {
      ordersJwt = await exchangeOk('gateway', { subject_token: aliceToken, audience: 'orders' });
    });

    async function refused(service: 'gateway' | 'orders', fields: Record<string, string>): Promise<void> {
      const minted = await exchangedCount();
      const { status, body } = await exchangeAs(workloads, service, fields);
      expect({ status, error: body.error, token: body.access_token }).toEqual({
        status: 400,
        error: 'invalid_authorization_details',
        token: undefined,
      });
      expect(await exchangedCount()).toBe(minted);
    }

    it('mints a payments token carrying exactly the one operation asked for, living 30 s', async () => {
      const { status, body } = await exchangeAs(workloads, 'orders', {
        subject_token: await ordersTokenWithIntent(aliceToken),
        audience: 'payments',
        scope: 'orders',
        authorization_details: chargeDetails(),
      });
      expect(status).toBe(200);
      expect(body.authorization_details).toEqual(JSON.parse(chargeDetails()));
      expect(body.expires_in).toBeLessThanOrEqual(30);
      const verified = await verifierFor('payments').verify(String(body.access_token));
      expect(verified.claims['authorization_details']).toEqual(JSON.parse(chargeDetails()));
      expect(verified.exp - verified.iat).toBe(30);
    });

    it('refuses a payments token that names no operation', async () => {
      await refused('orders', { subject_token: ordersJwt, audience: 'payments' });
    });

    it.each([
      ['not JSON', '{'],
      ['two operations', `[${chargeDetails().slice(1, -1)},${chargeDetails().slice(1, -1)}]`],
      ['no operation', '[]'],
      ['another type', chargeDetails({ type: 'bank_transfer' })],
      ['an operation payments does not have', chargeDetails({ actions: ['transfer'] })],
      ['two actions', chargeDetails({ actions: ['charge', 'refund'] })],
      ['an extra member', chargeDetails({ payee: 'mallory' })],
      ['a negative amount', chargeDetails({ amount: -1 })],
      ['a fractional amount', chargeDetails({ amount: 0.5 })],
      ['a malformed currency', chargeDetails({ currency: 'euro' })],
    ])('refuses authorization_details with %s', async (_case, details) => {
      await refused('orders', {
        subject_token: ordersJwt,
        audience: 'payments',
        authorization_details: details,
      });
    });

    it('refuses authorization_details for an audience that binds no operation (the gateway for orders)', async () => {
      await refused('gateway', {
        subject_token: aliceToken,
        audience: 'orders',
        authorization_details: chargeDetails(),
      });
    });
  });

  describe("payments tokens only against the user's own intent (issue 11, blast radius of orders)", () => {
    const orderB = 'b2c3d4e5-0000-4000-8000-000000000002';
    const chargeOf = (identifier: string) => chargeDetails({}, identifier);
    const refundOf = (order: string) =>
      JSON.stringify([
        {
          type: 'airlock_payment',
          actions: ['refund'],
          identifier: 'ch_00000000-0000-4000-8000-000000000001',
          amount: 100,
          currency: 'EUR',
          order,
        },
      ]);

    async function refusedWith(
      service: 'gateway' | 'orders',
      fields: Record<string, string>,
      error: string,
    ): Promise<void> {
      const minted = await exchangedCount();
      const { status, body } = await exchangeAs(workloads, service, fields);
      expect({ status, error: body.error, token: body.access_token }).toEqual({
        status: 400,
        error,
        token: undefined,
      });
      expect(await exchangedCount()).toBe(minted);
    }

    it("gives the gateway an orders token carrying the intent, living the topology's 30 s", async () => {
      const jwt = await ordersTokenWithIntent(aliceToken);
      const claims = decodeJwt(jwt);
      expect(claims['authorization_details']).toEqual(JSON.parse(intentDetails()));
      expect(Number(claims.exp) - Number(claims.iat)).toBe(30);
    });

    it("refuses orders a payments token with the user's plain orders token (no intent)", async () => {
      const plain = await exchangeOk('gateway', { subject_token: aliceToken, audience: 'orders' });
      await refusedWith(
        'orders',
        {
          subject_token: plain,
          audience: 'payments',
          scope: 'orders',
          authorization_details: chargeDetails(),
        },
        'invalid_grant',
      );
    });

    it('refuses to charge order B with an intent to pay order A', async () => {
      const intentForA = await ordersTokenWithIntent(aliceToken);
      await refusedWith(
        'orders',
        { subject_token: intentForA, audience: 'payments', authorization_details: chargeOf(orderB) },
        'invalid_grant',
      );
    });

    it('redeems an intent once: the second payments token for it is refused', async () => {
      const intent = await ordersTokenWithIntent(aliceToken);
      const fields = { subject_token: intent, audience: 'payments', authorization_details: chargeDetails() };
      await exchangeOk('orders', fields);
      await refusedWith('orders', fields, 'invalid_grant');
    });

    it('refuses to redeem a charge intent for a refund, even for an admin', async () => {
      const chargeIntent = await ordersTokenWithIntent(carolToken, intentDetails('charge', CHARGED_ORDER));
      await refusedWith(
        'orders',
        {
          subject_token: chargeIntent,
          audience: 'payments',
          scope: 'admin',
          authorization_details: refundOf(CHARGED_ORDER),
        },
        'invalid_grant',
      );
    });

    it("mints a refund only against an admin's refund intent for the charge's order", async () => {
      const refundIntent = await ordersTokenWithIntent(carolToken, intentDetails('refund', CHARGED_ORDER));
      await refusedWith(
        'orders',
        {
          subject_token: refundIntent,
          audience: 'payments',
          scope: 'admin',
          authorization_details: refundOf(orderB),
        },
        'invalid_grant',
      );
      const payments = await exchangeOk('orders', {
        subject_token: refundIntent,
        audience: 'payments',
        scope: 'admin',
        authorization_details: refundOf(CHARGED_ORDER),
      });
      expect(decodeJwt(payments)['authorization_details']).toEqual(JSON.parse(refundOf(CHARGED_ORDER)));
    });

    it('refuses a refund intent to a user without the admin scope (invalid_scope)', async () => {
      await refusedWith(
        'gateway',
        { subject_token: aliceToken, audience: 'orders', authorization_details: intentDetails('refund') },
        'invalid_scope',
      );
    });

    it('refuses an intent for an audience the topology conveys none to, or an action it does not mark', async () => {
      await refusedWith(
        'gateway',
        { subject_token: aliceToken, audience: 'image-processor', authorization_details: intentDetails() },
        'invalid_authorization_details',
      );
      await refusedWith(
        'gateway',
        { subject_token: aliceToken, audience: 'orders', authorization_details: intentDetails('transfer') },
        'invalid_authorization_details',
      );
      await refusedWith(
        'gateway',
        {
          subject_token: aliceToken,
          audience: 'orders',
          authorization_details: JSON.stringify([
            { type: 'airlock_intent', actions: ['charge'], identifier: CHARGED_ORDER, amount: 1 },
          ]),
        },
        'invalid_authorization_details',
      );
    });

    it('refuses an intent asked by any client but the gateway', async () => {
      const plain = await exchangeOk('gateway', { subject_token: aliceToken, audience: 'orders' });
      // orders may ask for payments only, and payments takes operations, not intents.
      await refusedWith(
        'orders',
        { subject_token: plain, audience: 'payments', authorization_details: intentDetails() },
        'invalid_authorization_details',
      );
      await refusedWith(
        'orders',
        { subject_token: plain, audience: 'orders', authorization_details: intentDetails() },
        'invalid_target',
      );
    });
  });

  describe('introspection is the gateway’s alone', () => {
    it('answers the gateway', async () => {
      const { status, body } = await introspectAs(workloads, 'gateway', aliceToken);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        active: true,
        sub: 'alice',
        client_id: 'airlock-cli',
        iss: server.issuer,
      });
    });

    it.each(['orders', 'payments', 'image-processor'] as const)('refuses %s with 403', async (service) => {
      const { status, body } = await introspectAs(workloads, service, aliceToken);
      expect(status).toBe(403);
      expect(body).toEqual({
        error: 'unauthorized_client',
        error_description: 'the client may not use introspection',
      });
    });

    it('refuses a public client, with or without a valid token', async () => {
      for (const token of [aliceToken, 'not-a-token']) {
        const { status, body } = await postForm(`${server.issuer}/token/introspection`, {
          client_id: 'airlock-cli',
          token,
        });
        expect(status).toBe(403);
        expect(body.error).toBe('unauthorized_client');
      }
    });

    it('refuses unauthenticated callers with invalid_client', async () => {
      const { status, body } = await postForm(`${server.issuer}/token/introspection`, {
        client_id: 'gateway',
        token: aliceToken,
      });
      expect(status).toBe(401);
      expect(body.error).toBe('invalid_client');
    });
  });

  describe('image-processor obtains nothing', () => {
    it('has no grant at the token endpoint', async () => {
      for (const grantType of [TOKEN_EXCHANGE, 'client_credentials', 'authorization_code', 'refresh_token']) {
        const { status, body } = await postForm(`${server.issuer}/token`, {
          grant_type: grantType,
          ...(await clientAuthFields(workloads, 'image-processor')),
          subject_token: aliceToken,
          subject_token_type: ACCESS_TOKEN_TYPE,
          audience: 'orders',
          code: 'x',
          refresh_token: aliceRefreshToken,
        });
        expect(status).toBeGreaterThanOrEqual(400);
        expect(body.access_token).toBeUndefined();
        expect(['unauthorized_client', 'unsupported_grant_type']).toContain(body.error);
      }
    });

    it('cannot start an authorization request', async () => {
      const url = new URL(`${server.issuer}/authorize`);
      url.search = new URLSearchParams({
        client_id: 'image-processor',
        response_type: 'code',
        scope: 'openid',
        redirect_uri: 'http://127.0.0.1:9/callback',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }).toString();
      const response = await fetch(url, { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
    });

    it('cannot introspect', async () => {
      expect((await introspectAs(workloads, 'image-processor', aliceToken)).status).toBe(403);
    });
  });

  describe('the logs', () => {
    it('record one audit line per exchange decision, with identifiers and never a token', async () => {
      const jwt = await exchangeOk('gateway', { subject_token: aliceToken, audience: 'orders' });
      await exchangeAs(workloads, 'gateway', { subject_token: aliceToken, audience: 'payments' });
      const audit = logLines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.audit === true);
      expect(audit).toContainEqual(
        expect.objectContaining({
          decision: 'allow',
          caller: 'gateway',
          subject: 'alice',
          client: 'airlock-cli',
        }),
      );
      expect(audit).toContainEqual(
        expect.objectContaining({
          decision: 'deny',
          caller: 'gateway',
          reason: expect.stringContaining('audience_not_allowed'),
        }),
      );
      const everything = logLines.join('\n');
      for (const secret of [aliceToken, aliceRefreshToken, carolToken, jwt, DEMO_PASSWORD]) {
        expect(everything).not.toContain(secret);
      }
    });
  });
});
