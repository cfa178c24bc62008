// The one error the topology package throws; `code` is stable and what tests assert.

export type TopologyErrorCode =
  | 'invalid_name'
  | 'duplicate_zone'
  | 'duplicate_service'
  | 'duplicate_port'
  | 'invalid_port'
  | 'unknown_zone'
  | 'unknown_service'
  | 'service_without_zone'
  | 'multiple_enclaves'
  | 'sandbox_not_isolated'
  | 'edge_zone_invalid'
  | 'admits_not_allowed'
  | 'call_to_self'
  | 'call_without_routes'
  | 'invalid_route'
  | 'call_into_zone_not_admitted'
  | 'call_out_of_sandbox'
  | 'edge_route_invalid'
  | 'edge_route_without_call'
  | 'issuer_invalid'
  | 'call_cycle'
  | 'store_invalid';

export class TopologyError extends Error {
  readonly code: TopologyErrorCode;

  constructor(code: TopologyErrorCode, message: string) {
    super(message);
    this.name = 'TopologyError';
    this.code = code;
  }
}
