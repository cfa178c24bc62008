// What the two interaction routes share: the provider in use, the checks that bind a form to the
// interaction it belongs to, and the plain HTML answers for everything that is not a sign-in.
import type { Request, Response } from 'express';
import { errors, type Interaction, type Provider } from 'oidc-provider';
import type { ClientRegistry } from '../clients/client-registry.js';
import type { UserStore } from '../users/user-store.js';
import type { LoginLimiterStore } from '../users/login-rate-limiter.js';
import type { PasswordCheckGate } from '../users/password-check-gate.js';
import type { ClientAddressOf } from './client-address.js';
import { errorPage, STYLE_HASH } from '../views/html.js';
import type { Logger } from '@airlock/service-kit';

export interface InteractionDeps {
  readonly provider: () => Provider;
  readonly issuer: string;
  readonly pathPrefix: string;
  readonly clients: ClientRegistry;
  readonly users: UserStore;
  readonly limiter: LoginLimiterStore;
  readonly formActionSources: readonly string[];
  /** The client an attempt is limited as: the gateway's signed word, else the socket's peer. */
  readonly clientAddress: ClientAddressOf;
  /** Caps concurrent password hashing; one of its own (DEFAULT_MAX_CONCURRENT_CHECKS) when absent. */
  readonly passwordChecks?: PasswordCheckGate;
  readonly logger: Logger;
}

/** Prompts this server answers with its sign-in form; anything else is not a flow it supports. */
const HANDLED_PROMPTS: ReadonlySet<string> = new Set(['login', 'consent']);

export class InteractionProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    title: string,
    message: string,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.status = status;
    this.title = title;
    this.headers = headers;
  }
}

export const expired = () =>
  new InteractionProblem(
    400,
    'Sign-in expired',
    'This sign-in page has expired or was already used. Return to the application and start again.',
  );

/** The interaction named by the cookie, which must also be the one named in the URL. */
export async function boundInteraction(
  deps: InteractionDeps,
  req: Request,
  res: Response,
): Promise<Interaction> {
  let interaction: Interaction;
  try {
    interaction = await deps.provider().interactionDetails(req, res);
  } catch (error) {
    if (error instanceof errors.SessionNotFound) throw expired();
    throw error;
  }
  // The cookie is set on the interaction's own path and is HttpOnly and SameSite=Lax: a form or link from
  // another site cannot carry it, and a URL from one sign-in cannot be completed with another's cookie.
  if (interaction.uid !== req.params.uid || !HANDLED_PROMPTS.has(interaction.prompt.name)) throw expired();
  return interaction;
}

/** CSP for the pages with a form: its own style, posts to itself, redirects only to registered clients. */
export function pageSecurityPolicy(deps: InteractionDeps): string {
  return [
    "default-src 'none'",
    `style-src ${STYLE_HASH}`,
    // Browsers apply form-action to the redirects after the post as well: the resume step and the client.
    `form-action 'self' ${deps.formActionSources.join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

export function sendPage(res: Response, status: number, html: string, csp: string): void {
  res.status(status).setHeader('Content-Security-Policy', csp).type('html').send(html);
}

export function sendProblem(
  deps: InteractionDeps,
  res: Response,
  error: unknown,
  requestId: string | undefined,
): void {
  if (res.headersSent) {
    res.socket?.destroy();
    return;
  }
  if (error instanceof InteractionProblem) {
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    sendPage(res, error.status, errorPage(error.title, error.message), pageSecurityPolicy(deps));
    return;
  }
  deps.logger.error({ err: error, requestId }, 'interaction failed');
  sendPage(
    res,
    500,
    errorPage('Something went wrong', 'The sign-in could not be completed. Try again later.'),
    pageSecurityPolicy(deps),
  );
}

export function clientDisplayName(clientId: unknown): string {
  return typeof clientId === 'string' && /^[a-z0-9-]{1,40}$/.test(clientId) ? clientId : 'the application';
}
