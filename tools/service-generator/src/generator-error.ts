// The one error the service generator throws; `code` is stable and what tests assert. Every refusal happens
// before anything is written, so a GeneratorError always means that nothing changed.

export type GeneratorErrorCode =
  | 'missing_answer'
  | 'invalid_name'
  | 'name_taken'
  | 'invalid_port'
  | 'port_taken'
  | 'unknown_zone'
  | 'zone_taken'
  | 'invalid_zone_kind'
  | 'unknown_caller'
  | 'invalid_edge_prefix'
  | 'edge_prefix_taken'
  | 'topology_invalid'
  | 'contracts_file_unexpected'
  | 'step_failed';

export class GeneratorError extends Error {
  readonly code: GeneratorErrorCode;

  constructor(code: GeneratorErrorCode, message: string) {
    super(message);
    this.name = 'GeneratorError';
    this.code = code;
  }
}
