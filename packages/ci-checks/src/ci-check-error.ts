// The one error @airlock/ci-checks throws when a check cannot run at all (a finding is a Problem, not an error);
// `code` is stable and what tests assert.

export type CiCheckErrorCode = 'not_a_git_tree' | 'invalid_allowlist' | 'scanner_failed';

export class CiCheckError extends Error {
  readonly code: CiCheckErrorCode;

  constructor(code: CiCheckErrorCode, message: string) {
    super(message);
    this.name = 'CiCheckError';
    this.code = code;
  }
}
