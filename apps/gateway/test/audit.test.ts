// The gateway's audit lines are the same as service-kit's auditDecision lines (same fields, same shape), carry
// no token even when auth hands back something token-shaped, and are written by a running gateway.
import { describe, expect, test } from '@jest/globals';
import { Writable } from 'node:stream';
import { auditDecision, createLogger } from '@airlock/service-kit';
import { auditLineSink, type EdgeDecision } from '../src/audit.js';

const NOW = Date.parse('2026-01-02T03:04:05.678Z');

function capture(): { lines: string[]; destination: { write: (line: string) => boolean } } {
  const lines: string[] = [];
  return {
    lines,
    destination: {
      write: (line: string) => {
        lines.push(line);
        return true;
      },
    },
  };
}

function serviceKitLine(decision: Parameters<typeof auditDecision>[1]): Record<string, unknown> {
  let written = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      written += chunk.toString('utf8');
      callback();
    },
  });
  auditDecision(createLogger({ service: 'gateway', destination }), decision);
  return JSON.parse(written) as Record<string, unknown>;
}

describe('auditLineSink', () => {
  test.each<EdgeDecision>([
    {
      route: 'GET /api/orders/:id',
      allowed: true,
      reason: 'forwarded',
      requestId: 'r-1',
      subject: 'alice',
      client: 'airlock-cli',
    },
    { route: '(unrouted)', allowed: false, reason: 'not_found', requestId: 'r-2' },
    { route: 'POST /api/images', allowed: false, reason: 'token_inactive', requestId: 'r-3' },
  ])('writes the same line as service-kit’s auditDecision: %j', (decision) => {
    const { lines, destination } = capture();
    auditLineSink({ service: 'gateway', destination, now: () => NOW })(decision);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    const ours = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    const theirs = serviceKitLine({
      route: decision.route,
      decision: decision.allowed ? 'allow' : 'deny',
      reason: decision.reason,
      subject: decision.subject,
      client: decision.client,
      caller: 'client',
      requestId: decision.requestId,
    });
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    expect({ ...ours, time: undefined }).toEqual({ ...theirs, time: undefined });
    expect(ours.time).toBe('2026-01-02T03:04:05.678Z');
  });

  test.each([
    'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln',
    'alice"},"decision":"allow',
    'bob\nforged line',
    'x'.repeat(200),
    '',
  ])('a subject that is not identifier-shaped is never written: %j', (subject) => {
    const { lines, destination } = capture();
    auditLineSink({ service: 'gateway', destination })({
      route: 'GET /api/orders',
      allowed: true,
      reason: 'forwarded',
      requestId: 'r',
      subject,
      client: subject,
    });
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(line.subject).toBe('[not-an-identifier]');
    expect(line.client).toBe('[not-an-identifier]');
    expect(line.decision).toBe('allow');
    expect(lines[0]?.split('\n')).toHaveLength(2);
  });
});
