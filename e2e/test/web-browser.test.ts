// The web shop in a real browser (Debian's chromium driven by playwright-core, no browser download), on the
// whole stack: alice signs in through auth's form, orders, pays, uploads an image, signs out. The same run
// proves the BFF's promises: no token or JWT ever reaches page JavaScript, a call forged from another origin is
// refused, an injected script is blocked by the CSP, and the session cookie is worthless after sign-out.
import { mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { makeDemoPng } from '@airlock/client/demo-image';
import { freePort } from '@airlock/local-stack';

import {
  answerProblems,
  call,
  fieldOf,
  ROOT_DIR,
  startE2eStack,
  type E2eStack,
} from './support/e2e-stack.js';

/** Debian's chromium (scripts/ensure-system-packages.sh installs it); AIRLOCK_CHROMIUM points elsewhere. */
const CHROMIUM = process.env.AIRLOCK_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots of each step, ignored by git and printed at the end. */
const ARTIFACTS = join(ROOT_DIR, 'e2e', '.artifacts', 'web-browser');
const STEP_TIMEOUT_MS = 15_000;
const JWT_SHAPE = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\./;
const TOKEN_FIELDS = /"(access_token|refresh_token|id_token)"/;

let e2e: E2eStack;
let browser: Browser;
let context: BrowserContext;
let attacker: Server | undefined;
/** Every answer the pages received: checked for tokens, and against the OpenAPI document. */
const seen: {
  url: string;
  method: string;
  status: number;
  contentType: string | undefined;
  body: string;
}[] = [];
const pending: Promise<void>[] = [];
const consoleLines: string[] = [];

beforeAll(async () => {
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  e2e = await startE2eStack();
  // Root needs --no-sandbox; CI runs this as an unprivileged user, who keeps chromium's sandbox.
  const asRoot = process.getuid?.() === 0;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: asRoot ? ['--no-sandbox'] : [] });
  context = await browser.newContext();
}, 90_000);

afterAll(async () => {
  await context.close().catch(() => undefined);
  await browser.close().catch(() => undefined);
  await new Promise<void>((resolve) => {
    if (attacker === undefined) resolve();
    else
      attacker.close(() => {
        resolve();
      });
  });
  await e2e.close();
  process.stdout.write(`web-browser screenshots: ${ARTIFACTS}\n`);
});

async function watch(page: Page): Promise<void> {
  page.on('console', (message) => consoleLines.push(message.text()));
  // The browser's own console entries (CSP and Trusted Types violations) come through the DevTools log.
  const devtools = await context.newCDPSession(page);
  devtools.on('Log.entryAdded', ({ entry }) => consoleLines.push(entry.text));
  await devtools.send('Log.enable');
  page.on('response', (response: Response) => {
    pending.push(
      response
        .text()
        .then((body) => {
          seen.push({
            url: response.url(),
            method: response.request().method(),
            status: response.status(),
            contentType: response.headers()['content-type'],
            body,
          });
        })
        // Redirects and aborted loads have no body to read.
        .catch(() => undefined),
    );
  });
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** What page JavaScript can read of storage: cookies, local and session storage, IndexedDB names. */
async function pageStorage(page: Page): Promise<{ cookie: string; stored: string[]; databases: number }> {
  // A string, evaluated in the page: this suite is compiled without the DOM's types.
  return page.evaluate(`(async () => {
    const stored = [
      ...Object.keys(localStorage).map((key) => key + '=' + localStorage.getItem(key)),
      ...Object.keys(sessionStorage).map((key) => key + '=' + sessionStorage.getItem(key)),
    ];
    const databases = (await indexedDB.databases()).length;
    return { cookie: document.cookie, stored, databases };
  })()`);
}

async function sessionCookieValue(): Promise<{ name: string; value: string }> {
  const cookie = (await context.cookies()).find((candidate) => candidate.name.endsWith('airlock-web'));
  if (cookie === undefined) throw new Error('no session cookie');
  return cookie;
}

it('alice signs in, orders, pays, uploads an image and signs out; no token ever reaches the page', async () => {
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  await watch(page);
  const shop = `${e2e.edgeUrl}/`;

  await page.goto(shop);
  await page.getByRole('link', { name: 'Sign in' }).waitFor();
  await shot(page, '01-signed-out');

  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.locator('#username').waitFor();
  await page.locator('#username').fill('alice');
  await page.locator('#password').fill(e2e.password);
  await shot(page, '02-auth-login-form');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#user-name').waitFor();
  expect(await page.locator('#user-name').textContent()).toBe('Signed in as alice');
  expect(new URL(page.url()).pathname).toBe('/');
  await page.locator('#catalog table').waitFor();
  await shot(page, '03-signed-in-catalog');

  // The one cookie: HttpOnly, SameSite=Strict, the whole origin; no Secure and no __Host- on plain http.
  const cookies = await context.cookies(shop);
  const session = cookies.find((cookie) => cookie.name === 'airlock-web');
  expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/', secure: false });
  for (const cookie of cookies) expect(cookie.httpOnly).toBe(true);

  await page.locator('button.add').first().click();
  await page.locator('#place-order').click();
  await page.getByText(/Order .+ placed\./).waitFor();
  await shot(page, '04-order-placed');
  await page.locator('button.pay').first().click();
  await page.getByText(/is paid\./).waitFor();
  // The order list is fetched again after the payment: wait for it to show the new status.
  await page
    .locator('.order-status')
    .first()
    .filter({ hasText: /^paid$/ })
    .waitFor();
  expect(await page.locator('.order-status').first().textContent()).toBe('paid');
  await shot(page, '05-order-paid');

  await page.locator('#image-file').setInputFiles({
    name: 'demo.png',
    mimeType: 'image/png',
    buffer: makeDemoPng(),
  });
  await page.locator('#upload-image').click();
  await page.locator('#thumbnail-image').waitFor();
  const naturalWidth = await page.evaluate<number>(`document.getElementById('thumbnail-image').naturalWidth`);
  expect(naturalWidth).toBeGreaterThan(0);
  await shot(page, '06-thumbnail');

  // An injected script (what an XSS would try) is refused by the CSP and Trusted Types; the refusal is logged.
  const injection = await page.evaluate<{ ran: boolean; violations: string[] }>(`(async () => {
    const violations = [];
    document.addEventListener('securitypolicyviolation', (event) => violations.push(event.effectiveDirective));
    try {
      const script = document.createElement('script');
      script.append(document.createTextNode('window.__injected = true;'));
      document.body.append(script);
    } catch {
      // Trusted Types may refuse the insertion itself; the violation event says so either way.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    return { ran: window.__injected === true, violations };
  })()`);
  expect(injection.ran).toBe(false);
  expect(injection.violations.length).toBeGreaterThan(0);
  const violationLines = consoleLines.filter((line) =>
    /Content Security Policy|TrustedScript|Trusted Type/i.test(line),
  );
  expect(violationLines.length).toBeGreaterThan(0);
  process.stdout.write(
    `blocked injection: ${injection.violations.join(', ')}; console: ${violationLines[0] ?? ''}\n`,
  );

  // Nothing page JavaScript can reach holds a token: storage, cookies, and every response body it received.
  const storage = await pageStorage(page);
  expect(storage).toEqual({ cookie: '', stored: [], databases: 0 });
  await Promise.all(pending);
  expect(seen.length).toBeGreaterThan(5);
  for (const { url, body } of seen) {
    expect({ url, jwt: JWT_SHAPE.test(body), tokenField: TOKEN_FIELDS.test(body) }).toEqual({
      url,
      jwt: false,
      tokenField: false,
    });
  }
  // And each answer the page received from the edge (the BFF's included) is as the OpenAPI document says.
  const undescribed = seen.flatMap((answer) =>
    answerProblems({ ...answer, text: answer.body }).map(
      (problem) => `${answer.method} ${answer.url}: ${problem}`,
    ),
  );
  expect(undescribed).toEqual([]);
  expect(seen.some((answer) => new URL(answer.url).pathname.startsWith('/bff/api/'))).toBe(true);

  // A call forged from another origin with the victim's cookie is refused (the Origin check; 127.0.0.1 on
  // another port is the same site, so SameSite alone would not stop it).
  const stolen = await sessionCookieValue();
  const forgedHeaders = { cookie: `${stolen.name}=${stolen.value}`, 'x-csrf': '1' };
  const forged = await call(`${e2e.edgeUrl}/bff/api/orders`, undefined, {
    method: 'POST',
    body: { items: [{ sku: 'nothing', quantity: 1 }] },
    headers: { ...forgedHeaders, origin: 'http://127.0.0.1:1' },
  });
  expect([forged.status, fieldOf(fieldOf(forged.body, 'error'), 'code')]).toEqual([403, 'csrf_refused']);
  const headerless = await call(`${e2e.edgeUrl}/bff/sign-out`, undefined, {
    method: 'POST',
    headers: { cookie: forgedHeaders.cookie, origin: e2e.edgeUrl },
  });
  expect(headerless.status).toBe(403);
  // The same from a real page on another origin: the browser's request reaches the BFF and is refused.
  const attackerPort = await freePort();
  attacker = createServer((_req, res) => {
    // The classic forgery: a form that posts itself to the shop's API with the victim's cookies.
    res.setHeader('content-type', 'text/html');
    res.end(
      `<!doctype html><form method="POST" enctype="text/plain" action="${e2e.edgeUrl}/bff/api/orders">` +
        `<input name='{"items":[{"sku":"x","quantity":1}],"x":"' value='"}'></form>` +
        '<script>document.forms[0].submit();</script>',
    );
  });
  await new Promise<void>((resolve) => attacker?.listen(attackerPort, '127.0.0.1', resolve));
  const evil = await context.newPage();
  const refused = evil.waitForResponse(
    (response) => response.url().endsWith('/bff/api/orders') && response.request().method() === 'POST',
  );
  await evil.goto(`http://127.0.0.1:${attackerPort}/`);
  expect((await refused).status()).toBe(403);
  await evil.close();
  await shot(page, '07-after-forgery');

  await page.locator('#sign-out').click();
  await page.getByRole('link', { name: 'Sign in' }).waitFor();
  await shot(page, '08-signed-out-again');
  // The old cookie is worth nothing now: no session, no API call.
  const replayedSession = await call(`${e2e.edgeUrl}/bff/session`, undefined, {
    headers: { cookie: forgedHeaders.cookie },
  });
  expect(replayedSession.body).toEqual({ signedIn: false });
  const replayedApi = await call(`${e2e.edgeUrl}/bff/api/orders`, undefined, {
    headers: { cookie: forgedHeaders.cookie },
  });
  expect(replayedApi.status).toBe(401);
}, 150_000);
