import { describe, expect, it } from '@jest/globals';

import { auditDecision } from '../src/audit.js';
import type { AuditDecision } from '../src/audit.js';
import { memoryLogger } from './helpers/memory-logger.js';

describe('auditDecision', () => {
  it('writes one structured audit line per decision', () => {
    const { logger, records } = memoryLogger();
    auditDecision(logger, {
      subject: 'alice',
      client: 'web',
      caller: 'gateway',
      route: 'GET /orders/:id',
      decision: 'deny',
      reason: 'owner_mismatch',
      requestId: 'req-12345678',
    });
    expect(records()).toEqual([
      expect.objectContaining({
        audit: true,
        level: 'info',
        msg: 'authorization decision',
        subject: 'alice',
        client: 'web',
        caller: 'gateway',
        route: 'GET /orders/:id',
        decision: 'deny',
        reason: 'owner_mismatch',
        requestId: 'req-12345678',
      }),
    ]);
  });

  it('writes only the named fields, so a token passed along is dropped', () => {
    const { logger, text } = memoryLogger();
    const decision = {
      route: 'POST /payments',
      decision: 'allow',
      reason: 'ok',
      token: 'opaque-secret-token',
      claims: { sub: 'x' },
    };
    auditDecision(logger, decision as AuditDecision);
    expect(text()).not.toContain('opaque-secret-token');
    expect(text()).not.toContain('claims');
  });

  it('refuses an outcome other than allow or deny', () => {
    const { logger } = memoryLogger();
    expect(() => {
      auditDecision(logger, { route: 'x', decision: 'maybe' as 'allow', reason: 'r' });
    }).toThrow(TypeError);
  });
});
