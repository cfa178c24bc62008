// Validates .github/dependabot.yml against the options GitHub documents for version 2 ("Dependabot options
// reference"), with zod. No registry package ships that schema for offline use (the one validator on npm
// downloads it at run time), so the documented keys are written here; unknown keys fail, as they would on GitHub.
// A fork that needs another documented option adds it here, in one place.
import { parse } from 'yaml';
import { z } from 'zod';
import type { Problem } from './problem.js';

const ECOSYSTEMS = [
  'bun',
  'bundler',
  'cargo',
  'composer',
  'devcontainers',
  'docker',
  'docker-compose',
  'dotnet-sdk',
  'elm',
  'github-actions',
  'gitsubmodule',
  'gomod',
  'gradle',
  'helm',
  'maven',
  'mix',
  'npm',
  'nuget',
  'pip',
  'pub',
  'swift',
  'terraform',
  'uv',
  'vcpkg',
] as const;
const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
const UPDATE_TYPES = z.array(z.enum(['major', 'minor', 'patch']));
const directory = z.string().startsWith('/');

const schedule = z.strictObject({
  interval: z.enum(['daily', 'weekly', 'monthly', 'quarterly', 'semiannually', 'yearly', 'cron']),
  day: z.enum(DAYS).optional(),
  time: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
    .optional(),
  timezone: z.string().optional(),
  cronjob: z.string().optional(),
});

const group = z.strictObject({
  'applies-to': z.enum(['version-updates', 'security-updates']).optional(),
  'dependency-type': z.enum(['development', 'production']).optional(),
  patterns: z.array(z.string()).optional(),
  'exclude-patterns': z.array(z.string()).optional(),
  'update-types': UPDATE_TYPES.optional(),
});

const update = z
  .strictObject({
    'package-ecosystem': z.enum(ECOSYSTEMS),
    directory: directory.optional(),
    directories: z.array(directory).min(1).optional(),
    schedule,
    'open-pull-requests-limit': z.int().min(0).optional(),
    groups: z.record(z.string(), group).optional(),
    allow: z.array(z.record(z.string(), z.string())).optional(),
    ignore: z
      .array(
        z.strictObject({
          'dependency-name': z.string(),
          versions: z.array(z.string()).optional(),
          'update-types': z.array(z.string()).optional(),
        }),
      )
      .optional(),
    labels: z.array(z.string()).optional(),
    assignees: z.array(z.string()).optional(),
    'commit-message': z
      .strictObject({
        prefix: z.string().optional(),
        'prefix-development': z.string().optional(),
        include: z.literal('scope').optional(),
      })
      .optional(),
    'versioning-strategy': z
      .enum(['auto', 'increase', 'increase-if-necessary', 'lockfile-only', 'widen'])
      .optional(),
    'target-branch': z.string().optional(),
    'rebase-strategy': z.enum(['auto', 'disabled']).optional(),
    cooldown: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((entry) => (entry.directory === undefined) !== (entry.directories === undefined), {
    error: 'give exactly one of `directory` and `directories`',
  });

const dependabotConfig = z.strictObject({
  version: z.literal(2),
  updates: z.array(update).min(1),
  registries: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});

export function dependabotProblems(file: string, source: string): Problem[] {
  let document: unknown;
  try {
    document = parse(source);
  } catch (error) {
    return [{ file, message: `not YAML: ${error instanceof Error ? error.message : String(error)}` }];
  }
  const result = dependabotConfig.safeParse(document);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({
    file,
    message: `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`,
  }));
}
