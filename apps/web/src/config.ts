// Reads web's environment once: the variables the topology decides (service-kit's parseServiceConfig) plus the
// session limits. Where the browser meets the shop, and whether cookies are Secure, follow the public origin.
import { fileURLToPath } from 'node:url';
import { integerSchema, parseServiceConfig, upstreamOf } from '@airlock/service-kit';
import type { Env, ServiceBaseConfig } from '@airlock/service-kit';

import { edge, service, topology } from './service.js';

/** A signed-in browser that sends nothing for this long is signed out. */
export const DEFAULT_SESSION_IDLE_SECONDS = 30 * 60;
/** However active, a session ends after this long and the user signs in again. */
export const DEFAULT_SESSION_ABSOLUTE_SECONDS = 8 * 60 * 60;
/** Sessions held in memory at most; past it the oldest pending sign-ins, then the least recently used, go. */
export const DEFAULT_MAX_SESSIONS = 10_000;
/** The single-page shop, built by Vite next to the server code (`dist/public`). */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../dist/public', import.meta.url));
/** Where auth sends the browser back with the code: registered with auth as the web redirect URI. */
export const CALLBACK_PATH = '/callback';

export interface WebConfig extends ServiceBaseConfig {
  /** The gateway as web reaches it: the API and auth's token endpoints. */
  readonly gatewayUrl: URL;
  readonly redirectUri: string;
  /** Cookies get `Secure` and the `__Host-` prefix only when the browser reaches the shop over https. */
  readonly secureCookies: boolean;
  readonly sessionIdleSeconds: number;
  readonly sessionAbsoluteSeconds: number;
  readonly maxSessions: number;
  readonly staticDir: string;
}

const variables = {
  AIRLOCK_WEB_SESSION_IDLE_SECONDS: integerSchema(30, 24 * 3600).default(DEFAULT_SESSION_IDLE_SECONDS),
  AIRLOCK_WEB_SESSION_ABSOLUTE_SECONDS: integerSchema(60, 7 * 24 * 3600).default(
    DEFAULT_SESSION_ABSOLUTE_SECONDS,
  ),
  AIRLOCK_WEB_MAX_SESSIONS: integerSchema(1, 1_000_000).default(DEFAULT_MAX_SESSIONS),
};

export function parseWebConfig(env: Env): WebConfig {
  return parseServiceConfig(
    {
      service: service.name,
      topology,
      variables,
      refine: (values, _base, report) => {
        if (values.AIRLOCK_WEB_SESSION_IDLE_SECONDS > values.AIRLOCK_WEB_SESSION_ABSOLUTE_SECONDS) {
          report('AIRLOCK_WEB_SESSION_IDLE_SECONDS', 'must not exceed AIRLOCK_WEB_SESSION_ABSOLUTE_SECONDS');
        }
      },
      build: (base, values) => ({
        ...base,
        gatewayUrl: upstreamOf(base, edge.name),
        redirectUri: new URL(CALLBACK_PATH, base.publicOrigin).href,
        secureCookies: base.publicOrigin.protocol === 'https:',
        sessionIdleSeconds: values.AIRLOCK_WEB_SESSION_IDLE_SECONDS,
        sessionAbsoluteSeconds: values.AIRLOCK_WEB_SESSION_ABSOLUTE_SECONDS,
        maxSessions: values.AIRLOCK_WEB_MAX_SESSIONS,
        staticDir: DEFAULT_STATIC_DIR,
      }),
    },
    env,
  );
}
