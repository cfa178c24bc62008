// The sandboxed image processor behind the real gateway: real images in, metadata-free thumbnails out;
// floods, bombs and non-images refused while the service's own memory stays bounded.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jpegClaiming, photo, pngFlood, SVG } from '@airlock/testing/images';
import { call, fieldOf, rssOf, startE2eStack, type E2eStack } from './support/e2e-stack.js';

const RSS_GROWTH_BOUND_BYTES = 64 * 1024 * 1024;

let e2e: E2eStack;
let alice: string;

async function upload(body: Uint8Array, contentType: string): Promise<ReturnType<typeof call>> {
  return call(`${e2e.edgeUrl}/api/images`, alice, {
    method: 'POST',
    body,
    headers: { 'content-type': contentType },
  });
}

beforeAll(async () => {
  e2e = await startE2eStack();
  alice = await e2e.signIn('alice');
});
afterAll(async () => {
  await e2e.close();
});

describe('images through the gateway', () => {
  it('returns a re-encoded thumbnail for a real photo', async () => {
    const answer = await upload(await photo('jpeg'), 'image/jpeg');
    expect(answer.status).toBe(200);
    expect(fieldOf(fieldOf(answer.body, 'thumbnail'), 'contentType')).toBe('image/webp');
  });

  it('refuses non-images and disguised formats with 415', async () => {
    expect((await upload(SVG, 'image/png')).status).toBe(415);
    expect((await upload(Buffer.from('%PDF-1.7 not an image'), 'image/png')).status).toBe(415);
    expect((await upload(await photo('png'), 'image/jpeg')).status).toBe(415);
  });

  it('refuses pixel floods and decompression bombs with bounded memory', async () => {
    const pid = e2e.stack.pid('image-processor');
    const before = rssOf(pid);
    let peak = before;
    const bombs = [pngFlood(100_000, 100_000), pngFlood(24_000_000, 1), await jpegClaiming(65_500, 65_500)];
    for (let round = 0; round < 3; round += 1) {
      for (const bomb of bombs) {
        const contentType = bomb[0] === 0xff ? 'image/jpeg' : 'image/png';
        const answer = await upload(bomb, contentType);
        expect(answer.status).toBe(422);
        expect(answer.text).not.toMatch(/vips|sharp|libpng|jpeg_/i);
        peak = Math.max(peak, rssOf(pid));
      }
    }
    expect(peak - before).toBeLessThan(RSS_GROWTH_BOUND_BYTES);
  });
});
