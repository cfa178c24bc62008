#!/usr/bin/env node
// `pnpm --filter @airlock/auth hash-password < password.txt`: prints the scrypt hash of the password read
// from standard input, for AIRLOCK_USERS_FILE. The password is never taken from the command line, where
// it would land in shell history and process listings.
import { text } from 'node:stream/consumers';
import { hashPassword, MAX_PASSWORD_LENGTH } from '../users/password-hash.js';

const password = (await text(process.stdin)).replace(/\r?\n$/, '');
if (password.length < 12 || password.length > MAX_PASSWORD_LENGTH) {
  process.stderr.write(`hash-password: the password must be 12 to ${MAX_PASSWORD_LENGTH} characters\n`);
  process.exitCode = 1;
} else {
  process.stdout.write(`${await hashPassword(password)}\n`);
}
