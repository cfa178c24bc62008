// Parses request bodies as JSON and nothing else: UTF-8 `application/json`, top-level object or array,
// size-limited, uncompressed, no prototype-polluting keys, no key named twice in one object, bounded nesting.
// Every refusal is a 4xx AppError.
import express from 'express';
import type { RequestHandler } from 'express';

import { AppError, errorCodes, unsupportedMediaType } from './errors.js';
import { hasDuplicateJsonKey } from './json-duplicate-keys.js';
import { fromLibraryError } from './library-errors.js';

export interface JsonBodyOptions {
  /** Largest accepted body in bytes; larger ones are 413 `payload_too_large`. */
  readonly limitBytes: number;
  /** Deepest accepted nesting of objects and arrays; default 32. Deeper is 400 `json_too_deep`. */
  readonly maxDepth?: number;
}

export const DEFAULT_JSON_MAX_DEPTH = 32;

// The exact forms clients send. Anything else (another type, a charset other than UTF-8, which RFC 8259 §8.1
// requires, or a malformed header) is 415 here, before the parser sees it.
const JSON_CONTENT_TYPE = /^application\/json[ \t]*(?:;[ \t]*charset=(?:utf-8|"utf-8")[ \t]*)?$/i;

// Keys that turn into prototype pollution as soon as some code merges the body into another object.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

// The raw text of each parsed body, kept only until the structure check has run on it.
const rawBodies = new WeakMap<object, string>();

export function jsonBody(options: JsonBodyOptions): RequestHandler {
  const { limitBytes, maxDepth = DEFAULT_JSON_MAX_DEPTH } = options;
  if (!Number.isSafeInteger(limitBytes) || limitBytes < 1) {
    throw new TypeError('jsonBody: option "limitBytes" must be a positive integer');
  }
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 1) {
    throw new TypeError('jsonBody: option "maxDepth" must be a positive integer');
  }
  const parse: RequestHandler = express.json({
    limit: limitBytes,
    strict: true,
    type: 'application/json',
    // A compressed body is refused: its size on the wire says nothing about its size once inflated.
    inflate: false,
    // The text is kept for the duplicate-key check: JSON.parse has already merged duplicates when it returns.
    verify: (req, _res, buffer) => {
      rawBodies.set(req, buffer.toString('utf8'));
    },
  });

  return (req, res, next) => {
    // No body, no parsing: req.body stays undefined and the route's validation decides.
    if (!carriesBody(req.headers)) {
      next();
      return;
    }
    if (!JSON_CONTENT_TYPE.test(req.get('content-type') ?? '')) {
      next(unsupportedMediaType());
      return;
    }
    parse(req, res, (error?: unknown) => {
      if (error !== undefined) {
        next(fromLibraryError(error) ?? error);
        return;
      }
      const body: unknown = req.body;
      const raw = rawBodies.get(req);
      rawBodies.delete(req);
      next(checkStructure(body, maxDepth) ?? checkDuplicateKeys(raw));
    });
  };
}

function carriesBody(headers: { 'transfer-encoding'?: string; 'content-length'?: string }): boolean {
  // Node has already rejected malformed or conflicting Content-Length / Transfer-Encoding headers.
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? '0') > 0;
}

/** An error for a body with a forbidden key or too deep, else undefined. Iterative: depth is attacker-chosen. */
function checkStructure(root: unknown, maxDepth: number): AppError | undefined {
  const pending: { value: unknown; depth: number }[] = [{ value: root, depth: 0 }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { value, depth } = item;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= maxDepth) {
      return new AppError({
        status: 400,
        code: errorCodes.jsonTooDeep,
        expose: 'The request body is nested too deeply.',
      });
    }
    // JSON.parse yields plain objects and arrays; `__proto__` in the text becomes an own key, which Object.keys lists.
    for (const [key, child] of Object.entries(value)) {
      if (FORBIDDEN_KEYS.has(key)) {
        return new AppError({
          status: 400,
          code: errorCodes.forbiddenJsonKey,
          expose: 'The request body contains a forbidden key.',
        });
      }
      pending.push({ value: child as unknown, depth: depth + 1 });
    }
  }
  return undefined;
}

function checkDuplicateKeys(raw: string | undefined): AppError | undefined {
  if (raw === undefined || !hasDuplicateJsonKey(raw)) return undefined;
  return new AppError({
    status: 400,
    code: errorCodes.duplicateJsonKey,
    expose: 'The request body names the same key twice in one object.',
  });
}
