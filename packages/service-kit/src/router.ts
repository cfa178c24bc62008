// Routers with the routing rules of createServiceApp: case-sensitive and strict, so `/Orders` and `/orders/`
// are not `/orders`. express.Router() does not inherit the app's settings and defaults to neither.
import express from 'express';
import type { Router } from 'express';

export function createRouter(): Router {
  return express.Router({ caseSensitive: true, strict: true });
}
