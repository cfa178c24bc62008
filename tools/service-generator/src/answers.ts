// The answers that describe a new service, read from `--flag value` pairs: the same answers the interactive
// prompts of `turbo gen service` collect, so CI and a person go through one code path.
import { GeneratorError } from './generator-error.js';
import { promptArgsOf, SERVICE_PROMPTS } from './prompts.js';
import type { ServicePrompt } from './prompts.js';

export type NewZoneKind = 'sandbox' | 'enclave';

export interface ServiceAnswers {
  /** A lowercase DNS label: the service's name, host name, audience and folder. */
  readonly name: string;
  /** An existing zone, or the name of the zone to create when `newZone` is set. */
  readonly zone: string;
  /** Create `zone` as a new zone of this kind. */
  readonly newZone?: NewZoneKind;
  readonly port: number;
  /** The public prefix at the gateway, e.g. `/api/inventory`; none: clients cannot reach it. */
  readonly edgePrefix?: string;
  /** Services that call it on behalf of users. */
  readonly calledBy: readonly string[];
  readonly purpose?: string;
  readonly holds?: string;
}

type Flag = ServicePrompt['flag'];

/** Parses `--name inventory --port 8085 ...` (also `--name=inventory`); unknown or repeated flags are refused. */
export function parseAnswers(argv: readonly string[]): ServiceAnswers {
  let positional: string[];
  try {
    positional = promptArgsOf(argv);
  } catch (error) {
    throw new GeneratorError('missing_answer', error instanceof Error ? error.message : String(error));
  }
  return answersFrom((flag) => positional[SERVICE_PROMPTS.findIndex((prompt) => prompt.flag === flag)]);
}

/** Builds the answers from named values (flags, or prompt answers); empty optional values mean "none". */
export function answersFrom(value: (flag: Flag) => string | undefined): ServiceAnswers {
  const required = (flag: Flag): string => {
    const given = value(flag)?.trim();
    if (given === undefined || given === '')
      throw new GeneratorError('missing_answer', `--${flag} is required`);
    return given;
  };
  const optional = (flag: Flag): string | undefined => {
    const given = value(flag)?.trim();
    return given === undefined || given === '' ? undefined : given;
  };
  const portText = required('port');
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  const newZone = optional('new-zone');
  if (newZone !== undefined && newZone !== 'sandbox' && newZone !== 'enclave') {
    throw new GeneratorError('invalid_zone_kind', `--new-zone must be sandbox or enclave, not "${newZone}"`);
  }
  const calledBy = (optional('called-by') ?? '')
    .split(',')
    .map((caller) => caller.trim())
    .filter((caller) => caller !== '');
  const edgePrefix = optional('edge-prefix');
  const purpose = optional('purpose');
  const holds = optional('holds');
  return {
    name: required('name'),
    zone: required('zone'),
    ...(newZone === undefined ? {} : { newZone }),
    port,
    ...(edgePrefix === undefined ? {} : { edgePrefix }),
    calledBy,
    ...(purpose === undefined ? {} : { purpose }),
    ...(holds === undefined ? {} : { holds }),
  };
}
