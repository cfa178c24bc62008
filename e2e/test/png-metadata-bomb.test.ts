// Issue 11, finding 1: PNGs of 68 KB whose 64 compressed text chunks each inflate to 1 MiB, uploaded 20 times two
// at a time to the real image processor behind the real gateway. Each is refused before a decoder inflates them,
// and the process's resident memory stays under a stated bound the whole time (it grew by 180 to 400 MB per
// upload before, and two concurrent uploads passed 1 GB against a 512 MiB container limit).

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pngWithCompressedText } from '@airlock/testing/images';
import { call, fieldOf, rssOf, startE2eStack, type E2eStack } from './support/e2e-stack.js';

/** The bound the image processor's RSS must stay under (it idles near 100 MB; the container limit is 512 MiB). */
const RSS_BOUND_BYTES = 256 * 1024 * 1024;
const UPLOADS = 20;
const CONCURRENCY = 2;
const MIB = 1024 * 1024;

let e2e: E2eStack;
let alice: string;

beforeAll(async () => {
  e2e = await startE2eStack();
  alice = await e2e.signIn('alice');
});
afterAll(async () => {
  await e2e.close();
});

describe('PNG metadata bombs', () => {
  it(`refuses ${String(UPLOADS)} uploads, ${String(CONCURRENCY)} at a time, with RSS under 256 MB`, async () => {
    const pid = e2e.stack.pid('image-processor');
    const bomb = await pngWithCompressedText(64, MIB, 'zTXt');
    expect(bomb.length).toBeLessThan(100 * 1024);
    let peak = rssOf(pid);
    // Sampled while the uploads run, so a spike that is later returned still counts.
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssOf(pid));
    }, 25);
    const statuses: number[] = [];
    const codes: unknown[] = [];
    try {
      for (let round = 0; round < UPLOADS / CONCURRENCY; round += 1) {
        const answers = await Promise.all(
          Array.from({ length: CONCURRENCY }, () =>
            call(`${e2e.urls.gateway}/api/images`, alice, {
              method: 'POST',
              body: bomb,
              headers: { 'content-type': 'image/png' },
            }),
          ),
        );
        for (const answer of answers) {
          statuses.push(answer.status);
          codes.push(fieldOf(fieldOf(answer.body, 'error'), 'code'));
        }
      }
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, rssOf(pid));
    // The figure, for the record: what the bound is measured against.
    process.stdout.write(`image-processor peak RSS: ${String(Math.round(peak / MIB))} MiB\n`);
    expect(statuses).toEqual(Array.from({ length: UPLOADS }, () => 422));
    expect(new Set(codes)).toEqual(new Set(['image_too_large']));
    expect(peak).toBeLessThan(RSS_BOUND_BYTES);
  }, 120_000);
});
