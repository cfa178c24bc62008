// The BFF's promises, route by route: the cookie's attributes, CSRF refusals, session expiry, refresh, sign-out,
// a new session id at sign-in, the CSP of the shop, and no token in anything the browser receives.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { airlockTopology } from '@airlock/topology';

import { createLogger } from '@airlock/service-kit';

import { webRoutes } from '../src/app.js';
import { ApiForwarder } from '../src/bff/api-forwarder.js';
import { SignedInSessions } from '../src/bff/signed-in-session.js';
import { SHOP_CONTENT_SECURITY_POLICY } from '../src/bff/content-security-policy.js';
import { BFF_PREFIX, MAX_UPLOAD_BYTES, SHOP_API_ROUTES } from '../src/routes/api.forward.js';
import {
  ABSOLUTE_MS,
  cookieOf,
  createHarness,
  GATEWAY_NAME,
  IDLE_MS,
  OPENAPI_DOCUMENT,
  ORIGIN,
  type Harness,
} from './support/harness.js';

let h: Harness;

beforeEach(async () => {
  h = await createHarness();
});

afterEach(async () => {
  await h.close();
});

const post = (path: string) => request(h.app).post(path);

function codeOf(answer: { body: unknown }): unknown {
  const { body } = answer;
  const error = typeof body === 'object' && body !== null && 'error' in body ? body.error : undefined;
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

async function isSignedIn(cookie: string): Promise<unknown> {
  const answer = await request(h.app).get('/bff/session').set('cookie', cookie);
  const body: unknown = answer.body;
  return typeof body === 'object' && body !== null && 'signedIn' in body ? body.signedIn : undefined;
}

describe('the session cookie', () => {
  it('is HttpOnly, SameSite=Strict, path /, bounded; on http it has no Secure and no __Host- prefix', async () => {
    const start = await request(h.app).get('/bff/sign-in');
    expect(start.status).toBe(303);
    const setCookie = String(start.headers['set-cookie']);
    expect(setCookie).toMatch(
      /^airlock-web=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=600; HttpOnly; SameSite=Strict$/,
    );
  });

  it('on https is __Host-airlock-web and Secure', async () => {
    const secure = await createHarness({ secure: true });
    const start = await request(secure.app).get('/bff/sign-in');
    expect(String(start.headers['set-cookie'])).toMatch(
      /^__Host-airlock-web=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=600; HttpOnly; SameSite=Strict; Secure$/,
    );
    await secure.close();
  });

  it('gets a new id at sign-in: the pending id (or one an attacker planted) is worthless after it', async () => {
    const start = await request(h.app).get('/bff/sign-in');
    const pending = cookieOf(start.headers['set-cookie']);
    const callback = await request(h.app).get('/callback?state=state-1&code=c').set('cookie', pending);
    const signedIn = cookieOf(callback.headers['set-cookie']);
    expect(signedIn).not.toBe(pending);
    expect((await request(h.app).get('/bff/session').set('cookie', pending)).body).toEqual({
      signedIn: false,
    });
    expect((await request(h.app).get('/bff/session').set('cookie', signedIn)).body).toEqual({
      signedIn: true,
      user: 'alice',
    });
  });

  it('refuses a callback whose state does not match, and the pending sign-in is used up', async () => {
    const start = await request(h.app).get('/bff/sign-in');
    const pending = cookieOf(start.headers['set-cookie']);
    const forged = await request(h.app).get('/callback?state=other&code=c').set('cookie', pending);
    expect([forged.status, codeOf(forged)]).toEqual([400, 'sign_in_failed']);
    const again = await request(h.app).get('/callback?state=state-1&code=c').set('cookie', pending);
    expect(again.status).toBe(400);
  });
});

describe('CSRF', () => {
  it('refuses a state-changing call without the custom header, or from another origin', async () => {
    const cookie = await h.signIn();
    const noHeader = await post('/bff/api/orders').set('cookie', cookie).set('origin', ORIGIN).send({});
    const otherOrigin = await post('/bff/api/orders')
      .set('cookie', cookie)
      .set('origin', 'http://127.0.0.1:9999')
      .set('x-csrf', '1')
      .send({});
    const noOrigin = await post('/bff/sign-out').set('cookie', cookie).set('x-csrf', '1');
    for (const answer of [noHeader, otherOrigin, noOrigin]) {
      expect([answer.status, codeOf(answer)]).toEqual([403, 'csrf_refused']);
    }
    expect(h.gatewaySaw).toEqual([]);
    const allowed = await post('/bff/api/orders')
      .set('cookie', cookie)
      .set('origin', ORIGIN)
      .set('x-csrf', '1')
      .set('content-type', 'application/json')
      .send({ items: [] });
    expect(allowed.status).toBe(200);
  });
});

describe('session lifetimes', () => {
  it('ends a session idle for the idle lifetime', async () => {
    const cookie = await h.signIn();
    h.advance(IDLE_MS - 1);
    expect(await isSignedIn(cookie)).toBe(true);
    h.advance(IDLE_MS);
    expect(await isSignedIn(cookie)).toBe(false);
  });

  it('ends an active session at its absolute lifetime', async () => {
    const cookie = await h.signIn();
    for (let elapsed = 0; elapsed < ABSOLUTE_MS - IDLE_MS / 2; elapsed += IDLE_MS / 2) {
      h.advance(IDLE_MS / 2);
      expect(await isSignedIn(cookie)).toBe(true);
    }
    h.advance(IDLE_MS / 2);
    expect(await isSignedIn(cookie)).toBe(false);
    expect((await request(h.app).get('/bff/api/orders').set('cookie', cookie)).status).toBe(401);
  });
});

describe('calls to the API', () => {
  it('carry the opaque token to the gateway and never back to the browser', async () => {
    const cookie = await h.signIn();
    const answer = await request(h.app).get('/bff/api/orders').set('cookie', cookie);
    expect(answer.status).toBe(200);
    expect(h.gatewaySaw).toEqual(['Bearer at-1']);
    expect(answer.text).not.toContain('at-1');
    expect(answer.text).not.toContain('rt-1');
    expect(Object.values(answer.headers).join(' ')).not.toContain('at-1');
  });

  it('refresh once on a 401 and retry with the new token', async () => {
    const cookie = await h.signIn();
    h.deadTokens.add('at-1');
    const answer = await request(h.app).get('/bff/api/catalog').set('cookie', cookie);
    expect(answer.status).toBe(200);
    expect(h.auth.refreshed).toEqual(['rt-1']);
    expect(h.gatewaySaw).toEqual(['Bearer at-1', 'Bearer at-2']);
  });

  it('refresh before the call when the access token has expired, once for concurrent calls', async () => {
    const cookie = await h.signIn();
    h.advance(31_000);
    await Promise.all([
      request(h.app).get('/bff/api/catalog').set('cookie', cookie),
      request(h.app).get('/bff/api/orders').set('cookie', cookie),
    ]);
    expect(h.auth.refreshed).toEqual(['rt-1']);
    expect(h.gatewaySaw).toEqual(['Bearer at-2', 'Bearer at-2']);
  });

  it('end the session when auth refuses the refresh', async () => {
    const cookie = await h.signIn();
    h.deadTokens.add('at-1');
    h.auth.refuseRefresh = true;
    const answer = await request(h.app).get('/bff/api/orders').set('cookie', cookie);
    expect([answer.status, codeOf(answer)]).toEqual([401, 'signed_out']);
    expect(await isSignedIn(cookie)).toBe(false);
  });

  it('take an image upload up to the upload limit the topology sets (the JSON limit elsewhere)', async () => {
    const cookie = await h.signIn();
    const image = Buffer.alloc(1024 * 1024, 0x42);
    const send = (path: string, type: string, body: Buffer) =>
      post(path)
        .set('cookie', cookie)
        .set('origin', ORIGIN)
        .set('x-csrf', '1')
        .set('content-type', type)
        .send(body);

    const uploaded = await send('/bff/api/images', 'image/png', image);
    const tooBig = await send('/bff/api/orders', 'application/json', image);
    const overLimit = await send('/bff/api/images', 'image/png', Buffer.alloc(MAX_UPLOAD_BYTES + 1, 0x42));

    expect(uploaded.status).toBe(200);
    expect(h.gatewayBodyBytes).toEqual([image.length]);
    expect(tooBig.status).toBe(413);
    expect(overLimit.status).toBe(413);
    expect(h.gatewaySaw).toHaveLength(1);
  });

  it('mark the same routes as uploads as the gateway does for its route to web', () => {
    const uploadsTo = (from: string, to: string): string[] =>
      airlockTopology.calls
        .filter((call) => call.from === from && call.to === to)
        .flatMap((call) => call.routes.filter((route) => route.upload === true).map((route) => route.path));
    const shopUploads = SHOP_API_ROUTES.filter((route) => route.upload === true).map(
      (route) => `${BFF_PREFIX}${route.path}`,
    );
    expect(shopUploads.length).toBeGreaterThan(0);
    expect(uploadsTo('gateway', 'web').sort()).toEqual(shopUploads.sort());
  });

  it('reach the gateway by name through the service dispatcher, with the name as Host', async () => {
    const byName = await createHarness({ gatewayByName: true });
    try {
      const cookie = await byName.signIn();
      const answer = await request(byName.app).get('/bff/api/orders').set('cookie', cookie);
      expect(answer.status).toBe(200);
      expect(byName.gatewaySaw).toEqual(['Bearer at-1']);
      expect(byName.gatewayHosts).toEqual([expect.stringMatching(new RegExp(`^${GATEWAY_NAME}:\\d+$`))]);
    } finally {
      await byName.close();
    }
  });

  it('are refused without a session, and never reach the gateway', async () => {
    const answer = await request(h.app).get('/bff/api/orders');
    expect([answer.status, codeOf(answer)]).toEqual([401, 'signed_out']);
    expect(h.gatewaySaw).toEqual([]);
  });
});

describe('sign-out', () => {
  it('revokes the refresh and access tokens at auth, clears the cookie, and the old cookie is worthless', async () => {
    const cookie = await h.signIn();
    const out = await post('/bff/sign-out').set('cookie', cookie).set('origin', ORIGIN).set('x-csrf', '1');
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^airlock-web=; Path=\/; Max-Age=0; HttpOnly/);
    expect(h.auth.revoked).toEqual([
      { token: 'rt-1', hint: 'refresh_token' },
      { token: 'at-1', hint: 'access_token' },
    ]);
    expect((await request(h.app).get('/bff/session').set('cookie', cookie)).body).toEqual({
      signedIn: false,
    });
    expect((await request(h.app).get('/bff/api/orders').set('cookie', cookie)).status).toBe(401);
  });
});

describe('the shop', () => {
  it('is served under a CSP with no inline script, no eval, no third party, and Trusted Types required', async () => {
    const page = await request(h.app).get('/');
    expect(page.status).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toBe(SHOP_CONTENT_SECURITY_POLICY);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(csp).toContain("require-trusted-types-for 'script'");
    const asset = await request(h.app).get('/assets/a.js');
    expect([asset.status, asset.headers['content-security-policy']]).toEqual([
      200,
      SHOP_CONTENT_SECURITY_POLICY,
    ]);
    expect((await request(h.app).get('/assets/..%2Findex.html')).status).toBe(404);
    expect((await request(h.app).get('/assets/missing.js')).status).toBe(404);
  });

  it('serves the OpenAPI document of the build at /openapi.json, public and cacheable', async () => {
    const answer = await request(h.app).get('/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.headers['cache-control']).toBe('public, max-age=300');
    expect(answer.body).toEqual(JSON.parse(readFileSync(OPENAPI_DOCUMENT, 'utf8')));
    expect((answer.body as { openapi: string }).openapi).toMatch(/^3\.1\./);
  });

  it('has exactly the routes the topology lets the gateway forward to web', () => {
    const declared = airlockTopology.calls
      .filter((call) => call.from === 'gateway' && call.to === 'web')
      .flatMap((call) => call.routes.map((route) => `${route.method} ${route.path}`))
      .sort();
    const cookies = { secure: false };
    const signedIn = new SignedInSessions({ sessions: h.sessions, auth: h.auth, cookies });
    const served = webRoutes({
      logger: createLogger({ service: 'web', level: 'silent' }),
      auth: h.auth,
      sessions: h.sessions,
      signedIn,
      api: new ApiForwarder({ gatewayUrl: new URL(ORIGIN), sessions: signedIn }),
      cookies,
      staticDir: h.staticDir,
    });
    expect(served.map((route) => `${route.method} ${route.path}`).sort()).toEqual(declared);
  });
});
