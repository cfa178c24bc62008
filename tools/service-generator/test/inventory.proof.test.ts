// The proof that the generator works, from the outside: in a copy of the repository (tracked and untracked files,
// no node_modules; the pnpm store and the toolchain are reused), exactly
// `./airlock gen:service --name inventory --zone core --port 8085 --edge-prefix /api/inventory --called-by gateway`,
// then install (offline), `pnpm check` (format, lint, typecheck, build, drift checks), the new service's own tests,
// the local stack with six services, alice through the gateway, audience replay, and the compose networks.
// Slow by nature (every package is built and linted in the copy): about 10 to 20 minutes on two shared cores.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { airlockTopology } from '@airlock/topology';
import type { NetworkSpec, Topology } from '@airlock/topology';
import { errorCode } from '@airlock/testing/http';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DRIVER = fileURLToPath(new URL('./support/inventory-proof-driver.mjs', import.meta.url));
/**
 * The example. In a repository that already has an `inventory` (a fork that ran exactly this command), the
 * proof makes the next free name and port the same way, so `./airlock test` stays a proof there too.
 */
const taken = new Set(airlockTopology.services.map((service) => service.name));
const NAME =
  ['inventory', ...Array.from({ length: 9 }, (_, index) => `inventory${String(index + 2)}`)].find(
    (candidate) => !taken.has(candidate),
  ) ?? 'inventory';
const ports = new Set(airlockTopology.services.map((service) => service.port));
const PORT = ports.has(8085) ? Math.max(...ports) + 1 : 8085;
const PREFIX = `/api/${NAME}`;
const GENERATE = [
  'gen:service',
  '--name',
  NAME,
  '--zone',
  'core',
  '--port',
  String(PORT),
  '--edge-prefix',
  PREFIX,
  '--called-by',
  'gateway',
];
/** The bound of the whole proof; each step has its own share below. */
const PROOF_TIMEOUT_MS = 45 * 60_000;

interface Answer {
  readonly status: number;
  readonly body: unknown;
}
interface DriverResult {
  readonly services?: string[];
  readonly opaqueIsJwt?: boolean;
  readonly edgeWithoutToken?: Answer;
  readonly edgeWithToken?: Answer;
  readonly exchangeStatus?: number;
  readonly jwtAtItsService?: Answer;
  readonly replays?: Record<string, Answer>;
  readonly error?: string;
  readonly output?: string[];
}

let copy = '';
let driver: DriverResult;
let topology: Topology;
let networksOf: (topology: Topology) => NetworkSpec[];
const steps: string[] = [];

/** Tracked and untracked (not ignored) files, as the working tree has them now, in a fresh git repository. */
function copyRepository(target: string): void {
  const listed = spawnSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split('\0')) {
    if (file === '' || !existsSync(join(ROOT, file))) continue;
    mkdirSync(dirname(join(target, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(target, file));
  }
  // A clone is a git repository: the checks that list what git would commit (the secret scan) need one.
  const init = spawnSync('git', ['init', '-q'], { cwd: target, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`git init failed: ${init.stderr}`);
  // The toolchain that bootstrap.sh installed (when the machine's was too old) is reused, not downloaded again.
  if (existsSync(join(ROOT, '.toolchain'))) symlinkSync(join(ROOT, '.toolchain'), join(target, '.toolchain'));
}

/** The environment of the copy's commands: this run's own turbo and pnpm variables are not inherited. */
function copyEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(TURBO_|npm_|JEST_)/i.test(name)),
  );
  // Built outputs of unchanged inputs are replayed on the next run; the first run builds everything.
  return { ...env, TURBO_CACHE_DIR: join(ROOT, '.turbo', 'gen-service-proof-cache'), CI: '1' };
}

/** Runs one command in the copy; resolves with its output, rejects with its tail when it fails. */
function run(command: string, args: readonly string[], timeoutMs: number): Promise<string> {
  steps.push([command, ...args].join(' '));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: copy, env: copyEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else
        reject(
          new Error(
            `${[command, ...args].join(' ')} failed (${String(code ?? signal)}):\n${output.slice(-6000)}`,
          ),
        );
    });
  });
}

beforeAll(async () => {
  copy = mkdtempSync(join(tmpdir(), 'airlock-gen-copy-'));
  copyRepository(copy);
  const pnpm = (...args: string[]): string[] => [
    '-c',
    `. scripts/toolchain-env.sh && pnpm ${args.join(' ')}`,
  ];
  await run('./airlock', GENERATE, 15 * 60_000);
  await run('bash', pnpm('install', '--offline', '--frozen-lockfile', '--reporter=silent'), 5 * 60_000);
  await run('bash', pnpm('run', 'check'), 25 * 60_000);
  await run('bash', pnpm('--filter', `@airlock/${NAME}`, 'test'), 5 * 60_000);
  const { stdout, status, stderr } = spawnSync(process.execPath, [DRIVER, copy, NAME, PREFIX], {
    env: copyEnv(),
    encoding: 'utf8',
    timeout: 3 * 60_000,
  });
  if (status !== 0) throw new Error(`the stack driver failed (${String(status)}): ${stderr.slice(-4000)}`);
  driver = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as DriverResult;
  const copied = (await import(pathToFileURL(join(copy, 'packages/topology/dist/index.js')).href)) as {
    airlockTopology: Topology;
    networksOf: (topology: Topology) => NetworkSpec[];
  };
  topology = copied.airlockTopology;
  networksOf = copied.networksOf;
}, PROOF_TIMEOUT_MS);

afterAll(() => {
  if (copy !== '') rmSync(copy, { recursive: true, force: true });
});

describe(`./airlock ${GENERATE.join(' ')}`, () => {
  it('generates, installs offline, passes check (format, lint, typecheck, build, drift) and its own tests', () => {
    expect(steps).toHaveLength(4);
    expect(existsSync(join(copy, `apps/${NAME}/dist/index.js`))).toBe(true);
  });

  it('declares the service in the topology as asked', () => {
    expect(topology.services.find((service) => service.name === NAME)).toMatchObject({
      port: PORT,
      zones: ['core'],
    });
    expect(topology.edgeRoutes).toContainEqual({
      prefix: PREFIX,
      to: NAME,
      upstreamPrefix: `/${NAME}`,
      as: 'user',
    });
  });

  it('starts the local stack with one service more (six in Airlock as it ships)', () => {
    // On failure, the stack's last lines say why.
    expect([driver.error, ...(driver.output ?? [])].filter((line) => line !== undefined).join('\n')).toBe('');
    expect(driver.services).toHaveLength(airlockTopology.services.length + 1);
    expect(driver.services).toContain(NAME);
  });

  it(`answers GET ${PREFIX} through the gateway: 401 without a token, 200 naming alice with one`, () => {
    expect(driver.opaqueIsJwt).toBe(false);
    expect(driver.edgeWithoutToken?.status).toBe(401);
    expect(driver.edgeWithToken).toEqual({ status: 200, body: { service: NAME, subject: 'alice' } });
  });

  it(`the JWT minted for aud=${NAME} works there and is refused by every other business service`, () => {
    expect(driver.exchangeStatus).toBe(200);
    expect(driver.jwtAtItsService?.status).toBe(200);
    const replays = driver.replays ?? {};
    const takesUserTokens = topology.services
      .filter(
        (service) =>
          service.name !== NAME && topology.calls.some((c) => c.to === service.name && c.as === 'user'),
      )
      .map((service) => service.name);
    // Airlock as it ships: orders, payments and image-processor.
    expect(takesUserTokens.length).toBeGreaterThanOrEqual(3);
    expect(Object.keys(replays).sort()).toEqual(takesUserTokens.sort());
    for (const [service, answer] of Object.entries(replays)) {
      expect({ service, status: answer.status, code: errorCode(answer) }).toEqual({
        service,
        status: 401,
        code: 'invalid_token',
      });
    }
  });

  it('gives the service exactly the networks the topology derives in the generated compose file', () => {
    const compose = parse(readFileSync(join(copy, 'infra/compose/docker-compose.yml'), 'utf8')) as {
      services: Record<string, { networks?: string[] | Record<string, unknown> }>;
    };
    const declared = compose.services[NAME]?.networks ?? [];
    const networks = Array.isArray(declared) ? declared : Object.keys(declared);
    const derived = networksOf(topology)
      .filter((network) => network.members.includes(NAME))
      .map((network) => network.name);
    expect(derived).toEqual(['core', `identity-${NAME}`]);
    expect([...networks].sort()).toEqual([...derived].sort());
  });
});
