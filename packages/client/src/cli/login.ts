#!/usr/bin/env node
// `./airlock sign-in [username]`: signs in to the running stack as the airlock-cli public client (authorization code
// + PKCE over a loopback redirect, RFC 8252) and prints the opaque access token and a curl line to use it.
// With a username and AIRLOCK_PASSWORD set (or a demo user whose generated password is in the local stack's data
// folder), it fills in the login form itself; otherwise it prints the URL to open in a browser and waits.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readDemoPasswords } from '../demo-passwords.js';
import { startLoopbackCallback } from '../loopback-callback.js';
import {
  discoverPublicClient,
  finishAuthorization,
  signInHeadless,
  startAuthorization,
} from '../public-client.js';

const SIGN_IN_TIMEOUT_MS = 5 * 60 * 1000;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    gateway: { type: 'string', default: process.env.AIRLOCK_GATEWAY_URL ?? 'http://127.0.0.1:8080' },
    scope: { type: 'string' },
  },
});
const gateway = values.gateway;
const username = positionals[0];
// Without a password in the environment, a demo user's own generated one from the local stack's data folder.
const password =
  process.env.AIRLOCK_PASSWORD ??
  process.env.AIRLOCK_DEMO_PASSWORD ??
  (username === undefined ? undefined : await localDemoPassword(username));

const config = await discoverPublicClient(`${gateway}/auth`);
const callback = await startLoopbackCallback();
try {
  const tokens =
    username !== undefined && password !== undefined
      ? (
          await signInHeadless(config, {
            redirectUri: callback.redirectUri,
            username,
            password,
            ...(values.scope === undefined ? {} : { scope: values.scope }),
          })
        ).tokens
      : await signInInBrowser();
  console.log(`Access token (opaque, expires in ${tokens.expiresIn() ?? '?'} s):\n${tokens.access_token}\n`);
  console.log(`curl -H 'Authorization: Bearer ${tokens.access_token}' ${gateway}/api/catalog`);
} finally {
  await callback.close();
}

async function signInInBrowser() {
  const request = await startAuthorization(config, {
    redirectUri: callback.redirectUri,
    ...(values.scope === undefined ? {} : { scope: values.scope }),
  });
  console.log(`Open this URL in a browser and sign in:\n\n  ${request.url.href}\n`);
  return finishAuthorization(config, request, await callback.next(SIGN_IN_TIMEOUT_MS));
}

async function localDemoPassword(name: string): Promise<string | undefined> {
  const dataDir = process.env.AIRLOCK_DATA_DIR ?? join(process.cwd(), '.data');
  try {
    return (await readDemoPasswords(dataDir))[name];
  } catch {
    return undefined;
  }
}
