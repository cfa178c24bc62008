// Response headers for a JSON API: nothing is cached, sniffed, framed, embedded cross-origin or referred.
// Set before any route runs, so error and 404 responses carry them too.
import type { RequestHandler } from 'express';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  // Responses carry user data and are answers to authenticated calls: no shared or private cache keeps them.
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  // A JSON API loads nothing and may be framed by nobody, should a browser ever render a response.
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  // Browsers refuse to embed responses in other origins' pages (no-cors reads such as <script src>).
  'Cross-Origin-Resource-Policy': 'same-origin',
});

export function securityHeaders(): RequestHandler {
  return (_req, res, next) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    next();
  };
}
