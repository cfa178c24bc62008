// What web promises on the wire: the contracts of its own routes (shop, sign-in, session), and for the BFF's
// /bff/api/... routes, which answer what the gateway's /api/... route answers, the refusals the BFF adds.
// @airlock/openapi reads this module to describe web's routes.
import type { ServiceContracts } from '@airlock/service-kit/api-contract';

import { CSRF_HEADER, CSRF_HEADER_VALUE } from './bff/csrf.js';
import { BFF_PREFIX, SHOP_API_ROUTES } from './routes/api.forward.js';
import { sessionContracts } from './routes/session.js';
import { OPENAPI_PATH, shopContracts } from './routes/shop.show.js';
import { signInContracts } from './routes/sign-in.js';
import { service } from './service.js';
import { PLAIN_COOKIE_NAME, SECURE_COOKIE_NAME } from './session/session-cookie.js';

export { BFF_PREFIX, CSRF_HEADER, CSRF_HEADER_VALUE, OPENAPI_PATH, SHOP_API_ROUTES };
export { PLAIN_COOKIE_NAME, SECURE_COOKIE_NAME };

/** web's routes that it answers itself (every other route of web forwards to the API). */
export const webContracts: ServiceContracts = {
  service: service.name,
  routes: [...shopContracts, ...signInContracts, ...sessionContracts],
};

/** What a forwarded /bff/api/... call can be refused with by the BFF itself, on top of the API's answers. */
export const bffForwardErrors: Readonly<Record<number, string>> = {
  401: 'No signed-in session, or its tokens could not be refreshed (`signed_out`).',
  403: 'A state-changing call without the CSRF header or from another Origin (`csrf_refused`).',
  503: 'The gateway did not answer.',
};
