// What every check reports: one finding in one file, said so that a person can fix it.

export interface Problem {
  /** Relative to the repository root. */
  readonly file: string;
  readonly message: string;
}

export function formatProblem(problem: Problem): string {
  return `${problem.file}: ${problem.message}`;
}
