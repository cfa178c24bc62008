// The sign-in form: what an attacker learns from it (nothing about which users exist), how fast they can
// guess (rate limits per username and per address), and what malformed or cross-site posts get (a plain
// page, never a stack trace).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_PASSWORD, removeDataDir, startAuth, type RunningAuth } from './support/auth-server.js';
import { authorizationUrl, comparable, expectNoInternals, openLoginPage } from './support/interaction.js';
import { DATABASE_ENGINES, useTestDatabases } from '@airlock/testing/database-engines';

describe.each(DATABASE_ENGINES)('on %s', (engine) => {
  const databases = useTestDatabases(engine);
  let server: RunningAuth;

  beforeAll(async () => {
    server = await startAuth({
      database: await databases.next(),
      rateLimits: {
        perUsername: { capacity: 3, refillSeconds: 600 },
        perAddress: { capacity: 1000, refillSeconds: 1 },
      },
    });
  });

  afterAll(async () => {
    await server.stop();
    await removeDataDir(server.dataDir);
  });

  async function attempt(username: string, password: string) {
    const page = await openLoginPage(server.issuer);
    const response = await page.browser.submitForm(page.pageUrl, page.html, { username, password });
    const body = await response.text();
    return { page, response, body, comparable: comparable(body, page.uid, username) };
  }

  describe('the login page', () => {
    it('is a minimal accessible form with a strict CSP', async () => {
      const { html, browser, pageUrl } = await openLoginPage(server.issuer);
      expect(html).toMatch(/<label for="username">/);
      expect(html).toMatch(/<input id="username" name="username"/);
      expect(html).toMatch(/<label for="password">/);
      expect(html).toMatch(/<input id="password" name="password" type="password"/);
      expect(html).not.toMatch(/<script/i);
      const response = await browser.request(pageUrl);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toMatch(/form-action 'self' http:\/\/127\.0\.0\.1:\*/);
      expect(response.headers.get('cache-control')).toBe('no-store');
    });

    it('sets its cookies HttpOnly and SameSite=Lax, scoped to the interaction', async () => {
      const response = await fetch(authorizationUrl(server.issuer, {}), { redirect: 'manual' });
      const cookies = response.headers.getSetCookie();
      expect(cookies.length).toBeGreaterThan(0);
      for (const cookie of cookies) {
        expect(cookie).toMatch(/httponly/i);
        expect(cookie).toMatch(/samesite=lax/i);
      }
      expect(cookies.some((cookie) => /airlock_interaction=.*path=\/auth\/interaction\//i.test(cookie))).toBe(
        true,
      );
    });
  });

  describe('failed sign-in', () => {
    it('answers a wrong password and an unknown user identically', async () => {
      const wrongPassword = await attempt('alice', 'not-her-password');
      const unknownUser = await attempt('mallory', 'not-her-password');
      expect(wrongPassword.response.status).toBe(200);
      expect(unknownUser.response.status).toBe(wrongPassword.response.status);
      expect(unknownUser.comparable).toBe(wrongPassword.comparable);
      expect(wrongPassword.body).toContain('Invalid username or password.');
      const headerNames = (response: Response) =>
        [...response.headers.keys()].filter((name) => name !== 'date').sort();
      expect(headerNames(unknownUser.response)).toEqual(headerNames(wrongPassword.response));
    });

    it('takes about as long for an unknown user as for a wrong password (one scrypt either way)', async () => {
      const median = async (username: string) => {
        const samples: number[] = [];
        for (let i = 0; i < 3; i += 1) {
          const started = performance.now();
          await attempt(username, 'wrong-password');
          samples.push(performance.now() - started);
        }
        return samples.sort((a, b) => a - b)[1] ?? 0;
      };
      const known = await median('bob');
      const unknown = await median('trudy');
      // Loose bounds: a shared CI machine is noisy, but skipping the hash would be ~50x faster, not 3x.
      expect(unknown).toBeGreaterThan(known / 3);
      expect(unknown).toBeLessThan(known * 3);
    });

    it('stops checking passwords for a username after repeated failures, even the right one', async () => {
      for (let i = 0; i < 3; i += 1) expect((await attempt('carol', 'guess')).response.status).toBe(200);
      const limited = await attempt('carol', DEMO_PASSWORD);
      expect(limited.response.status).toBe(429);
      expect(Number(limited.response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.body).toContain('Too many attempts');
    });

    it('limits unknown usernames the same way, so the limiter reveals nothing', async () => {
      for (let i = 0; i < 3; i += 1) expect((await attempt('eve', 'guess')).response.status).toBe(200);
      const limited = await attempt('eve', 'guess');
      expect(limited.response.status).toBe(429);
    });

    it('limits per client address across usernames', async () => {
      const strict = await startAuth({
        rateLimits: {
          perUsername: { capacity: 100, refillSeconds: 1 },
          perAddress: { capacity: 2, refillSeconds: 600 },
        },
      });
      try {
        const tryAt = async (username: string) => {
          const page = await openLoginPage(strict.issuer);
          return (await page.browser.submitForm(page.pageUrl, page.html, { username, password: 'x' })).status;
        };
        expect(await tryAt('u1')).toBe(200);
        expect(await tryAt('u2')).toBe(200);
        expect(await tryAt('u3')).toBe(429);
      } finally {
        await strict.stop();
        await removeDataDir(strict.dataDir);
      }
    });

    it('accepts the right password (sign-in succeeds with a redirect to resume the authorization)', async () => {
      const { response } = await attempt('alice', DEMO_PASSWORD);
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toMatch(new RegExp(`^${server.issuer}/authorize/`));
    });
  });

  describe('bad and cross-site posts get a plain page', () => {
    async function post(
      body: string,
      headers: Record<string, string> = {},
      page?: Awaited<ReturnType<typeof openLoginPage>>,
    ) {
      const login = page ?? (await openLoginPage(server.issuer));
      const response = await login.browser.request(`${server.issuer}/interaction/${login.uid}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.origin, ...headers },
        body,
      });
      const text = await response.text();
      expectNoInternals(text);
      return { status: response.status, text, type: response.headers.get('content-type') ?? '' };
    }

    it.each([
      ['a repeated field', 'username=alice&username=bob&password=x'],
      ['a missing password', 'username=alice'],
      ['an empty username', 'username=&password=x'],
      ['an overlong username', `username=${'a'.repeat(65)}&password=x`],
      ['garbage', '%%%%'],
    ])('400 for %s', async (_name, body) => {
      const { status, type } = await post(body);
      expect(status).toBe(400);
      expect(type).toMatch(/text\/html/);
    });

    it('400 for a body that is not a form', async () => {
      expect((await post('{"username":"alice"}', { 'content-type': 'application/json' })).status).toBe(400);
    });

    it('400 for an unsupported charset', async () => {
      const { status } = await post('username=alice&password=x', {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-7',
      });
      expect(status).toBe(400);
    });

    it('413 for an oversized form', async () => {
      const { status, text } = await post(`username=alice&password=${'x'.repeat(8 * 1024)}`);
      expect(status).toBe(413);
      expect(text).toContain('too large');
    });

    it('403 for a post from another origin', async () => {
      expect((await post('username=alice&password=x', { origin: 'https://evil.example' })).status).toBe(403);
      expect((await post('username=alice&password=x', { origin: 'null' })).status).toBe(403);
    });

    it('403 for a cross-site fetch', async () => {
      expect((await post('username=alice&password=x', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    });

    it('400 without the interaction cookie (a forged or replayed form)', async () => {
      const page = await openLoginPage(server.issuer);
      const response = await fetch(`${server.issuer}/interaction/${page.uid}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.origin },
        body: new URLSearchParams({ username: 'alice', password: DEMO_PASSWORD }).toString(),
        redirect: 'manual',
      });
      expect(response.status).toBe(400);
      expectNoInternals(await response.text());
    });

    it("400 when the URL names another interaction than the browser's cookie", async () => {
      const mine = await openLoginPage(server.issuer);
      const theirs = await openLoginPage(server.issuer);
      const response = await mine.browser.request(`${server.issuer}/interaction/${theirs.uid}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.origin },
        body: new URLSearchParams({ username: 'alice', password: DEMO_PASSWORD }).toString(),
      });
      expect(response.status).toBe(400);
    });

    it('400 for a login page without its cookie', async () => {
      const page = await openLoginPage(server.issuer);
      const response = await fetch(page.pageUrl);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('Sign-in expired');
    });

    it('400 for a completed interaction posted again', async () => {
      const page = await openLoginPage(server.issuer);
      const first = await page.browser.submitForm(page.pageUrl, page.html, {
        username: 'alice',
        password: DEMO_PASSWORD,
      });
      expect(first.status).toBe(303);
      await page.browser.follow(
        new URL(first.headers.get('location') ?? '', page.pageUrl),
        (url) => url.port === '49152',
      );
      const again = await post(
        new URLSearchParams({ username: 'alice', password: DEMO_PASSWORD }).toString(),
        {},
        page,
      );
      expect(again.status).toBe(400);
    });

    it('405 for other methods', async () => {
      const page = await openLoginPage(server.issuer);
      const response = await page.browser.request(`${server.issuer}/interaction/${page.uid}/login`, {
        method: 'GET',
      });
      expect(response.status).toBe(405);
    });
  });
});
