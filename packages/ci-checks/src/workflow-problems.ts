// Validates a GitHub Actions workflow: against GitHub's workflow schema with @action-validator/core (a broken
// workflow fails here, not only on GitHub), then the house rules the schema cannot express: every action pinned
// by a full commit SHA with its version in a comment, read-only default permissions, and a timeout on each job.
import { validateWorkflow, type ValidationError } from '@action-validator/core';
import { parse } from 'yaml';
import { z } from 'zod';
import type { Problem } from './problem.js';

const PINNED_USES = /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/;
const VERSION_COMMENT = /#\s*v\d+(\.\d+){0,2}\b/;

const workflowShape = z.object({
  permissions: z.unknown().optional(),
  jobs: z.record(z.string(), z.object({ 'timeout-minutes': z.unknown().optional() }).loose()),
});

export function workflowProblems(file: string, source: string): Problem[] {
  const schemaErrors = validateWorkflow(source).errors;
  if (schemaErrors.length > 0) {
    return schemaErrors.map((error) => ({ file, message: `schema: ${describe(error)}` }));
  }
  const problems: string[] = [];
  const workflow = workflowShape.parse(parse(source));
  if (!isReadOnly(workflow.permissions)) {
    problems.push('the workflow must set `permissions: contents: read` (and nothing broader) at the top');
  }
  for (const [name, job] of Object.entries(workflow.jobs)) {
    if (job['timeout-minutes'] === undefined) problems.push(`job ${name} has no timeout-minutes`);
  }
  source.split('\n').forEach((line, index) => {
    const uses = /^\s*(?:-\s+)?uses:\s*['"]?([^'"\s#]+)['"]?/.exec(line)?.[1];
    if (uses === undefined || uses.startsWith('./') || uses.startsWith('docker://')) return;
    if (!PINNED_USES.test(uses)) {
      problems.push(`line ${index + 1}: ${uses} is not pinned by a full commit SHA`);
    } else if (!VERSION_COMMENT.test(line)) {
      problems.push(`line ${index + 1}: ${uses} has no version comment (e.g. \`# v4.2.0\`)`);
    }
  });
  return problems.map((message) => ({ file, message }));
}

function isReadOnly(permissions: unknown): boolean {
  if (permissions === undefined || permissions === null || typeof permissions !== 'object') return false;
  return Object.values(permissions).every((level) => level === 'read' || level === 'none');
}

function describe(error: ValidationError): string {
  const nested = 'states' in error ? (error.states ?? []).flatMap((state) => state.errors) : [];
  const details = [
    error.detail,
    ...nested.map((inner) => inner.detail ?? `${inner.title} (${'path' in inner ? inner.path : ''})`),
  ]
    .filter((detail): detail is string => detail !== undefined)
    .filter((detail, index, all) => all.indexOf(detail) === index);
  const where = 'path' in error && error.path !== '' ? ` at ${error.path}` : '';
  const line = 'location' in error && error.location !== undefined ? ` (line ${error.location.line})` : '';
  return `${error.title}${where}${line}${details.length > 0 ? `: ${details.join('; ')}` : ''}`;
}
