// The verified token of an accepted request, for handlers that run behind requireToken.
import type { Request } from 'express';
import type { VerifiedToken } from '@airlock/token-verification';

export function authOf(req: Request): VerifiedToken {
  const auth = req.auth;
  // Only reachable if a route were registered without requireToken, which registerProtectedRoutes prevents;
  // failing here keeps such a bug from ever serving a request without a user.
  if (auth === undefined) throw new Error('route reached without a verified token');
  return auth;
}
