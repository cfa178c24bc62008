// Ways for a proof to act on its stack: inside it as an attacker would (run Node in a container: there is
// nothing else in there), or as an operator (stop, start, read logs, inspect).
import { getContainerRuntimeClient } from 'testcontainers';
import { demultiplex, type LaunchedService, type LaunchedStack } from './stack-launcher.js';

export function serviceOf(stack: LaunchedStack, name: string): LaunchedService {
  const service = stack.services[name];
  if (service === undefined) throw new Error(`no service ${name} in the stack`);
  return service;
}

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function containerOf(service: LaunchedService) {
  const client = await getContainerRuntimeClient();
  return { client, container: client.container.getById(service.containerId) };
}

/** `docker exec` as the container's own user: what code running in that container can do. */
export async function execIn(
  service: LaunchedService,
  command: readonly string[],
  cwd = '/app',
): Promise<ExecResult> {
  const { client, container } = await containerOf(service);
  const result = await client.container.exec(container, [...command], { workingDir: cwd });
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Runs a Node script inside a container (as an ES module, from /app, so the service's own dependencies
 * resolve) with `input` as JSON in argv[1], and parses the last line it prints as JSON.
 */
export async function nodeIn<T>(service: LaunchedService, script: string, input: unknown = null): Promise<T> {
  const result = await execIn(service, [
    '/nodejs/bin/node',
    '--input-type=module',
    '-e',
    script,
    JSON.stringify(input),
  ]);
  const lastLine = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.exitCode !== 0 || lastLine === '') {
    throw new Error(`script in ${service.name} exited ${result.exitCode}: ${result.stderr.slice(0, 2000)}`);
  }
  return JSON.parse(lastLine) as T;
}

export async function logsOf(service: LaunchedService, sinceEpochSeconds = 0): Promise<string> {
  const { client } = await containerOf(service);
  const buffer = await client.container.dockerode
    .getContainer(service.containerId)
    .logs({ stdout: true, stderr: true, since: sinceEpochSeconds });
  return demultiplex(buffer);
}

/** The container's JSON log lines that parse (services log JSON; anything else is kept out). */
export async function jsonLogLinesOf(
  service: LaunchedService,
  sinceEpochSeconds = 0,
): Promise<Record<string, unknown>[]> {
  const text = await logsOf(service, sinceEpochSeconds);
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

export async function stopService(service: LaunchedService): Promise<void> {
  const { client } = await containerOf(service);
  await client.container.dockerode.getContainer(service.containerId).stop({ t: 10 });
}

export async function startService(service: LaunchedService): Promise<void> {
  const { client } = await containerOf(service);
  await client.container.dockerode.getContainer(service.containerId).start();
}

export interface ContainerRunState {
  readonly running: boolean;
  readonly health: string | undefined;
  readonly startedAt: string;
  readonly restartCount: number;
}

export async function runStateOf(service: LaunchedService): Promise<ContainerRunState> {
  const { client } = await containerOf(service);
  const inspected = await client.container.dockerode.getContainer(service.containerId).inspect();
  return {
    running: inspected.State.Running,
    health: inspected.State.Health?.Status,
    startedAt: inspected.State.StartedAt,
    restartCount: inspected.RestartCount,
  };
}

export async function waitUntilHealthy(service: LaunchedService, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await runStateOf(service)).health === 'healthy') return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${service.name} did not become healthy within ${timeoutMs} ms`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
