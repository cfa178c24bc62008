// GET / and GET /assets/:file: the single-page shop as Vite built it, under the shop's CSP. Only files of the
// build are served (no directory listing, no dotfiles, no path outside the assets folder). GET /openapi.json:
// the public API's description, a file of the same build.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import type { RequestHandler } from 'express';
import { notFound } from '@airlock/service-kit';
import type { RouteContract } from '@airlock/service-kit/api-contract';

import { shopDocumentHeaders } from '../bff/content-security-policy.js';
import type { RouteDeps, WebRoute } from './web-route.js';

/** Where the public API's OpenAPI document is served; Vite copies it from client/public into the build. */
export const OPENAPI_PATH = '/openapi.json';
/** Public and the same for everyone: caches may keep it for a few minutes. */
const OPENAPI_CACHE_CONTROL = 'public, max-age=300';

/** Vite's hashed file names: the only names /assets/ answers for. */
const ASSET_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.(js|css|svg|png|webp)$/;

export const shopContracts: readonly RouteContract[] = [
  {
    method: 'GET',
    path: '/',
    summary: 'The single-page shop.',
    responses: { 200: { description: 'The shop’s HTML document.', contentType: 'text/html' } },
    errors: {},
  },
  {
    method: 'GET',
    path: '/assets/:file',
    summary: 'A file of the shop’s build (hashed name, immutable).',
    responses: { 200: { description: 'The file.', contentType: 'application/octet-stream' } },
    errors: { 404: 'No such file in the build.' },
  },
  {
    method: 'GET',
    path: OPENAPI_PATH,
    summary: 'This document: the public API in OpenAPI 3.1, generated from the routes’ zod schemas.',
    responses: { 200: { description: 'The OpenAPI document.', contentType: 'application/json' } },
    errors: {},
  },
];

export function shopRoutes(deps: Pick<RouteDeps, 'staticDir'>): WebRoute[] {
  // Read once at start: a missing build fails the start, not the first visitor.
  const index = readFileSync(join(deps.staticDir, 'index.html'));
  const openApiDocument = readFileSync(join(deps.staticDir, 'openapi.json'));
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
      path: OPENAPI_PATH,
      handlers: [
        (_req, res) => {
          res.type('json').setHeader('Cache-Control', OPENAPI_CACHE_CONTROL);
          res.send(openApiDocument);
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
