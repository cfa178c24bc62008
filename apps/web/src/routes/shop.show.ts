// GET / and GET /assets/:file: the single-page shop as Vite built it, under the shop's CSP. Only files of the
// build are served (no directory listing, no dotfiles, no path outside the assets folder).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import type { RequestHandler } from 'express';
import { notFound } from '@airlock/service-kit';

import { shopDocumentHeaders } from '../bff/content-security-policy.js';
import type { RouteDeps, WebRoute } from './web-route.js';

/** Vite's hashed file names: the only names /assets/ answers for. */
const ASSET_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.(js|css|svg|png|webp)$/;

export function shopRoutes(deps: Pick<RouteDeps, 'staticDir'>): WebRoute[] {
  // Read once at start: a missing build fails the start, not the first visitor.
  const index = readFileSync(join(deps.staticDir, 'index.html'));
  const assets = express.static(join(deps.staticDir, 'assets'), {
    dotfiles: 'deny',
    index: false,
    redirect: false,
    fallthrough: false,
    immutable: true,
    maxAge: '365d',
  });
  const onlyBuiltAssets: RequestHandler = (req, _res, next) => {
    const file = req.params.file;
    if (typeof file !== 'string' || !ASSET_NAME.test(file)) {
      next(notFound());
      return;
    }
    // express.static reads req.url relative to its root: the file name alone.
    req.url = `/${file}`;
    next();
  };
  return [
    {
      method: 'GET',
      path: '/',
      handlers: [
        shopDocumentHeaders(),
        (_req, res) => {
          res.type('html').setHeader('Cache-Control', 'no-cache');
          res.send(index);
        },
      ],
    },
    {
      method: 'GET',
      path: '/assets/:file',
      handlers: [
        shopDocumentHeaders(),
        onlyBuiltAssets,
        (req, res, next) => {
          res.removeHeader('Cache-Control');
          assets(req, res, (error?: unknown) => {
            next(error === undefined ? notFound() : notFound());
          });
        },
      ],
    },
  ];
}
