// The questions `./airlock gen:service` asks, in the order `turbo gen service` asks them. Each is also a flag
// (`--name inventory`); scripts/gen-service.mjs passes flags to turbo gen as the answers, in this order.
// No imports: turbo/generators/config.ts bundles this file.

export interface ServicePrompt {
  /** The flag, and the name of the prompt's answer. */
  readonly flag: 'name' | 'zone' | 'new-zone' | 'port' | 'edge-prefix' | 'called-by' | 'purpose' | 'holds';
  readonly message: string;
}

export const SERVICE_PROMPTS: readonly ServicePrompt[] = [
  { flag: 'name', message: 'Name (a lowercase DNS label, e.g. inventory):' },
  { flag: 'zone', message: 'Zone (an existing zone, e.g. core; or the name of a new zone):' },
  {
    flag: 'new-zone',
    message: 'Create that zone as a new sandbox or enclave? (sandbox, enclave, or empty):',
  },
  { flag: 'port', message: 'Port (unique in the topology, e.g. 8085):' },
  { flag: 'edge-prefix', message: 'Prefix at the gateway for clients (e.g. /api/inventory; empty: none):' },
  { flag: 'called-by', message: 'Called by, on behalf of users (comma-separated, e.g. gateway):' },
  { flag: 'purpose', message: 'Purpose (one line; empty: fill it in later):' },
  { flag: 'holds', message: 'What it holds that an attacker would want (empty: fill it in later):' },
];

/** Positional answers for `turbo gen service --args`, in prompt order, from `--flag value` arguments. */
export function promptArgsOf(argv: readonly string[]): string[] {
  const values = new Map<string, string>();
  for (let index = 0; index < argv.length; index += 1) {
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(argv[index] ?? '');
    const prompt = SERVICE_PROMPTS.find((candidate) => candidate.flag === match?.[1]);
    if (match === null || prompt === undefined) {
      throw new Error(`unknown argument "${argv[index] ?? ''}"; flags: --${flagNames().join(', --')}`);
    }
    if (values.has(prompt.flag)) throw new Error(`--${prompt.flag} is given twice`);
    const value = match[2] ?? argv[index + 1];
    if (value === undefined) throw new Error(`--${prompt.flag} needs a value`);
    if (match[2] === undefined) index += 1;
    values.set(prompt.flag, value);
  }
  return SERVICE_PROMPTS.map((prompt) => values.get(prompt.flag) ?? '');
}

function flagNames(): string[] {
  return SERVICE_PROMPTS.map((prompt) => prompt.flag);
}
