// Recognizes the file-system errors that are expected outcomes rather than failures.

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

export function isNotFound(error: unknown): boolean {
  return errorCode(error) === 'ENOENT';
}

export function isAlreadyExists(error: unknown): boolean {
  return errorCode(error) === 'EEXIST';
}
