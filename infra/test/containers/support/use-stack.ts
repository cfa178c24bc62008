// One fresh stack per proof file: started before its tests, removed after them whatever happened. A stack that
// does not start fails every test of the file with the reason (its last log lines), and the file's finding
// records it.
import { afterAll, beforeAll } from '@jest/globals';
import { launchStack, removeRun, type LaunchedStack } from './stack-launcher.js';

const LAUNCH_TIMEOUT_MS = 240_000;

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
    try {
      stack = await launchStack();
    } catch (cause) {
      error = cause instanceof Error ? cause.message : String(cause);
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
