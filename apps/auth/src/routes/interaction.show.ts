// GET /auth/interaction/:uid — the sign-in form for a pending authorization request.
import type { RequestHandler } from 'express';
import { loginPage } from '../views/html.js';
import {
  boundInteraction,
  clientDisplayName,
  pageSecurityPolicy,
  sendPage,
  sendProblem,
  type InteractionDeps,
} from './interaction-context.js';

export function showInteraction(deps: InteractionDeps): RequestHandler<{ uid: string }> {
  return async (req, res) => {
    try {
      const interaction = await boundInteraction(deps, req, res);
      const html = loginPage({
        action: `${deps.pathPrefix}/interaction/${interaction.uid}/login`,
        clientName: clientDisplayName(interaction.params.client_id),
      });
      sendPage(res, 200, html, pageSecurityPolicy(deps));
    } catch (error) {
      sendProblem(deps, res, error, req.id);
    }
  };
}
