// A minimal browser for the sign-in flow: a cookie jar, manual redirects, and a form post with the headers a
// browser sends. Enough to drive the real login page headlessly (the demo, the tests), never a real browser.

const MAX_REDIRECTS = 10;

export class Browser {
  readonly #cookies = new Map<string, string>();

  cookieHeader(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  #store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader();
    if (cookie !== '') headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.#store(response);
    return response;
  }

  /** GETs and follows redirects until `stop(url)` is true or a non-redirect answers. */
  async follow(
    start: string | URL,
    stop: (url: URL) => boolean = () => false,
  ): Promise<{ url: URL; response: Response }> {
    let url = new URL(start);
    for (let hop = 0; hop < MAX_REDIRECTS; hop += 1) {
      if (stop(url)) return { url, response: new Response(null, { status: 204 }) };
      const response = await this.request(url);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || location === null) return { url, response };
      await response.body?.cancel();
      url = new URL(location, url);
    }
    throw new Error('too many redirects');
  }

  async submitForm(
    pageUrl: URL,
    html: string,
    fields: Readonly<Record<string, string>>,
    headers: Readonly<Record<string, string>> = {},
  ): Promise<Response> {
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (action === undefined) throw new Error('no form on the page');
    return this.request(new URL(action.replaceAll('&amp;', '&'), pageUrl), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: pageUrl.origin,
        'sec-fetch-site': 'same-origin',
        ...headers,
      },
      body: new URLSearchParams(fields).toString(),
    });
  }
}

export interface SignInResult {
  /** The URL the browser was finally sent to: the client's redirect URI with code, state and iss. */
  readonly callback: URL;
  readonly browser: Browser;
}

/**
 * Opens the authorization URL, signs in on the login page and follows the redirects back to the client's
 * redirect URI (recognised by `isCallback`) without requesting it.
 */
export async function signIn(
  authorizationUrl: URL,
  credentials: { username: string; password: string },
  isCallback: (url: URL) => boolean,
  browser = new Browser(),
): Promise<SignInResult> {
  const page = await browser.follow(authorizationUrl, isCallback);
  if (isCallback(page.url)) return { callback: page.url, browser };
  const html = await page.response.text();
  if (page.response.status !== 200 || !html.includes('name="password"')) {
    throw new Error(`expected the login page, got ${page.response.status}: ${html.slice(0, 300)}`);
  }
  const posted = await browser.submitForm(page.url, html, credentials);
  const location = posted.headers.get('location');
  if (posted.status !== 303 || location === null) {
    throw new Error(`sign-in failed with ${posted.status}: ${(await posted.text()).slice(0, 300)}`);
  }
  const done = await browser.follow(new URL(location, page.url), isCallback);
  if (!isCallback(done.url)) {
    throw new Error(
      `did not return to the client: ${done.response.status} ${(await done.response.text()).slice(0, 300)}`,
    );
  }
  return { callback: done.url, browser };
}
