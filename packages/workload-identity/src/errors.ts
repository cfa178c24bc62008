// The one error @airlock/workload-identity throws; `code` is stable and what callers and tests assert.

export type WorkloadIdentityErrorCode =
  /** A service name that could escape the data folder or is not a topology name. */
  | 'invalid_service_name'
  /** A key file that exists but is not a key this package wrote (corrupt, wrong curve, private part missing). */
  | 'invalid_key_file'
  /** A key file whose permissions let other users read the private key or replace the public one. */
  | 'insecure_key_file';

export class WorkloadIdentityError extends Error {
  readonly code: WorkloadIdentityErrorCode;

  constructor(code: WorkloadIdentityErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WorkloadIdentityError';
    this.code = code;
  }
}
