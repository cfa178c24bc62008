// Issue 11, finding 1: the sandbox decodes untrusted input, so its allocator returns memory (few glibc arenas) and
// an out-of-memory kill does not leave it down for good (a restart policy). Services outside it are unchanged.
import { describe, expect, it } from '@jest/globals';
import { airlockTopology, zonesJoinedBy } from '@airlock/topology';
import { parse } from 'yaml';
import { renderCompose } from '../src/render-compose.js';
import { stackOf } from '../src/stack.js';

interface ComposeService {
  environment: Record<string, string | null>;
  restart?: string;
}

const compose = parse(renderCompose(stackOf(airlockTopology))) as {
  services: Record<string, ComposeService>;
};
const sandboxed = airlockTopology.services
  .filter((service) => zonesJoinedBy(airlockTopology, service).every((zone) => zone.kind === 'sandbox'))
  .map((service) => service.name);

describe('sandboxed services in the compose file', () => {
  it('exist', () => {
    expect(sandboxed.length).toBeGreaterThan(0);
  });

  it.each(sandboxed)('%s caps glibc malloc arenas at 2 and restarts after a failure', (name) => {
    const service = compose.services[name];
    expect(service?.environment.MALLOC_ARENA_MAX).toBe('2');
    expect(service?.restart).toBe('on-failure');
  });

  it('leaves every other service without either', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (sandboxed.includes(name)) continue;
      expect(service.environment.MALLOC_ARENA_MAX).toBeUndefined();
      expect(service.restart).toBeUndefined();
    }
  });
});
