// Stand-in for the token-verification middleware of a real service: the example reads the subject from a
// test header. A real service takes it from the verified JWT, never from a header a client can set.
import type { Response } from 'express';

export function currentSubject(res: Response): string {
  const subject = res.req.get('X-Test-Subject');
  return subject ?? 'anonymous';
}
