// The shop's Content-Security-Policy: scripts and styles from its own origin only (no inline script, no eval,
// no third-party origin), and Trusted Types required, so no string ever becomes markup or script in the page.
import type { RequestHandler } from 'express';

export const SHOP_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  // Thumbnails come back from the sandbox as bytes; the page shows them as data: images.
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/** Headers of the shop's documents and assets (API answers keep service-kit's stricter defaults). */
export function shopDocumentHeaders(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('Content-Security-Policy', SHOP_CONTENT_SECURITY_POLICY);
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    next();
  };
}
