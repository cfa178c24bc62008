// The few HTML pages auth renders itself: the sign-in form and plain error pages. No script, no external
// resource, one inline style allowed by its hash, and every interpolated value escaped.
import { createHash } from 'node:crypto';

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:22rem;margin:3rem auto;padding:0 1rem}' +
  'label,input,button{display:block;width:100%;box-sizing:border-box}input{margin:.25rem 0 1rem;padding:.5rem}' +
  'button{padding:.6rem}[role=alert]{color:#a00}';

/** The CSP allows exactly this stylesheet and nothing else inline. */
export const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // same-origin, not no-referrer: under no-referrer a browser sends `Origin: null` with the form's POST, which
    // the login's cross-site check must refuse; same-origin still sends nothing to any other origin.
    '<meta name="referrer" content="same-origin">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export interface LoginPageOptions {
  /** Where the form posts: `/auth/interaction/<uid>/login`. */
  readonly action: string;
  readonly clientName: string;
  /** Shown above the form; the same text for every kind of failed sign-in. */
  readonly message?: string;
  readonly username?: string;
}

export function loginPage(options: LoginPageOptions): string {
  const alert =
    options.message === undefined
      ? ''
      : `<p role="alert" id="login-error">${escapeHtml(options.message)}</p>`;
  const describedBy = options.message === undefined ? '' : ' aria-describedby="login-error"';
  return page(
    'Sign in · Airlock',
    [
      '<h1>Sign in</h1>',
      `<p>to continue to <strong>${escapeHtml(options.clientName)}</strong></p>`,
      alert,
      `<form method="post" action="${escapeHtml(options.action)}" autocomplete="on">`,
      '<label for="username">Username</label>',
      `<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="64" value="${escapeHtml(options.username ?? '')}"${describedBy}>`,
      '<label for="password">Password</label>',
      `<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"${describedBy}>`,
      '<button type="submit">Sign in</button>',
      '</form>',
    ].join('\n'),
  );
}

export function errorPage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`);
}
