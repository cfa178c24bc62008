// infra builds an image of every service of the topology, so its package depends on each service's workspace
// package (`workspace:*`), which orders turbo's builds and lets `pnpm deploy` find it. Derived, not hand-kept:
// a service added to the topology is added here by `pnpm generate`, and a removed one is dropped.
const WORKSPACE_SCOPE = '@airlock/';

/** Workspace packages infra uses itself; every other workspace dependency is a service it builds. */
const INFRA_LIBRARIES: ReadonlySet<string> = new Set([
  '@airlock/client',
  '@airlock/topology',
  '@airlock/typescript-config',
]);

/** package.json's text with devDependencies naming exactly `services` among its service packages. */
export function withServiceDependencies(packageJson: string, services: readonly string[]): string {
  const manifest = JSON.parse(packageJson) as { devDependencies?: Record<string, string> };
  const others = Object.entries(manifest.devDependencies ?? {}).filter(
    ([name]) => !name.startsWith(WORKSPACE_SCOPE) || INFRA_LIBRARIES.has(name),
  );
  const entries: [string, string][] = [
    ...others,
    ...services.map((service): [string, string] => [`${WORKSPACE_SCOPE}${service}`, 'workspace:*']),
  ];
  entries.sort(([a], [b]) => a.localeCompare(b));
  return `${JSON.stringify({ ...manifest, devDependencies: Object.fromEntries(entries) }, null, 2)}\n`;
}
