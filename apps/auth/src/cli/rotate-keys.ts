#!/usr/bin/env node
// `pnpm --filter @airlock/auth rotate-keys <status|stage|promote|retire>`: one step of a signing-key
// rotation with overlap. Each step rewrites <dataDir>/auth/signing-keys.json atomically; the running auth
// reloads it within a second (it watches the file; SIGHUP forces a reload). Steps that would break tokens
// (promoting a key consumers may not have fetched, withdrawing one that signed live tokens) are refused.
import { ConfigError } from '@airlock/service-kit';
import { parseRotationConfig } from '../config.js';
import { runRotateKeys } from './run-rotate-keys.js';

try {
  const config = parseRotationConfig(process.env);
  const code = await runRotateKeys(process.argv.slice(2), {
    authDir: config.authDir,
    jwksCacheMaxAgeSeconds: config.jwksCacheMaxAgeSeconds,
    now: () => Math.floor(Date.now() / 1000),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
  process.exitCode = code;
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`rotate-keys: ${error.message}\n`);
  process.exitCode = 2;
}
