// One fresh stack per proof file: started before its tests, removed after them whatever happened. A stack that
// does not start fails every test of the file with the reason (its last log lines), and the file's finding
// records it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from '@jest/globals';
import { launchStack, removeRun, type LaunchedStack } from './stack-launcher.js';

const LAUNCH_TIMEOUT_MS = 240_000;
/**
 * When the stack cannot start for one proof file, the next ones of the same run fail at once with the same
 * reason instead of each waiting for health checks to give up. Cleared by globalSetup with the findings.
 */
const LAUNCH_FAILED_FILE = fileURLToPath(new URL('../../../.proofs/launch-failed.txt', import.meta.url));

export interface StackHandle {
  /** The running stack; throws (failing the test) when it did not start. */
  readonly get: () => LaunchedStack;
  /** Why the stack did not start, for the finding; undefined when it did. */
  readonly launchError: () => string | undefined;
}

export function useStack(): StackHandle {
  let stack: LaunchedStack | undefined;
  let error: string | undefined;
  beforeAll(async () => {
    if (existsSync(LAUNCH_FAILED_FILE)) {
      error = `(as for an earlier proof of this run) ${readFileSync(LAUNCH_FAILED_FILE, 'utf8')}`;
      throw new Error(error);
    }
    try {
      stack = await launchStack();
    } catch (cause) {
      error = cause instanceof Error ? cause.message : String(cause);
      mkdirSync(fileURLToPath(new URL('.', `file://${LAUNCH_FAILED_FILE}`)), { recursive: true });
      writeFileSync(LAUNCH_FAILED_FILE, error);
      throw cause;
    }
  }, LAUNCH_TIMEOUT_MS);
  afterAll(async () => {
    if (stack !== undefined) await removeRun(stack.runId);
  }, 60_000);
  return {
    get: () => {
      if (stack === undefined) throw new Error(`the stack did not start: ${error ?? 'unknown reason'}`);
      return stack;
    },
    launchError: () => error,
  };
}
