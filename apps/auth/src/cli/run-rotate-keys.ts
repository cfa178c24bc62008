// The rotate-keys command without process globals, so tests drive it with their own clock and folder.
import { SigningKeyError } from '../keys/signing-key-error.js';
import { ensureSigningKeySet, writeSigningKeySet } from '../keys/signing-key-file.js';
import { rotationTimings } from '../keys/rotation-timings.js';
import {
  promoteStagedKey,
  promotionDelay,
  retireKeys,
  retirementDelay,
  stageKey,
  type SigningKeySet,
} from '../keys/signing-key-set.js';

export interface RotateKeysDeps {
  readonly authDir: string;
  readonly jwksCacheMaxAgeSeconds: number;
  /** Epoch seconds. */
  readonly now: () => number;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export const USAGE = [
  'usage: rotate-keys <command>',
  '  status   list the keys and what may happen next',
  '  stage    publish a new key in the JWKS (it does not sign yet)',
  '  promote  make the staged key sign; the old key starts retiring (allowed once the JWKS cache age has passed)',
  '  retire   withdraw retiring keys (allowed once every token they signed has expired)',
].join('\n');

/** Exit code: 0 done, 1 refused (the message says why and when to retry), 2 usage. */
export async function runRotateKeys(args: readonly string[], deps: RotateKeysDeps): Promise<number> {
  const [command, ...rest] = args;
  if (
    command === undefined ||
    rest.length > 0 ||
    !['status', 'stage', 'promote', 'retire'].includes(command)
  ) {
    deps.err(USAGE);
    return 2;
  }
  const timings = rotationTimings(deps.jwksCacheMaxAgeSeconds);
  const now = deps.now();
  try {
    const current = await ensureSigningKeySet(deps.authDir, now);
    let next: SigningKeySet | undefined;
    if (command === 'stage') next = await stageKey(current, now);
    if (command === 'promote') next = promoteStagedKey(current, now, timings);
    if (command === 'retire') next = retireKeys(current, now, timings);
    if (next !== undefined) {
      await writeSigningKeySet(deps.authDir, next);
      deps.out(`${command}: done. The running auth picks the change up within a second (or send it SIGHUP).`);
    }
    for (const line of describe(next ?? current, now, deps.jwksCacheMaxAgeSeconds)) deps.out(line);
    return 0;
  } catch (error) {
    if (!(error instanceof SigningKeyError)) throw error;
    deps.err(`${command} refused (${error.code}): ${error.message}`);
    return 1;
  }
}

function describe(set: SigningKeySet, now: number, jwksCacheMaxAgeSeconds: number): string[] {
  const timings = rotationTimings(jwksCacheMaxAgeSeconds);
  return set.keys.map((key) => {
    const at = (seconds: number) => new Date(seconds * 1000).toISOString();
    switch (key.status) {
      case 'active':
        return `active    ${key.kid}  signing since ${at(key.activatedAt ?? key.createdAt)}`;
      case 'staged': {
        const ready = key.createdAt + promotionDelay(timings);
        return `staged    ${key.kid}  published ${at(key.createdAt)}; promote ${ready <= now ? 'now' : `from ${at(ready)}`}`;
      }
      case 'retiring': {
        const since = key.retiringSince ?? now;
        const ready = since + retirementDelay(timings);
        return `retiring  ${key.kid}  stopped signing ${at(since)}; retire ${ready <= now ? 'now' : `from ${at(ready)}`}`;
      }
    }
  });
}
