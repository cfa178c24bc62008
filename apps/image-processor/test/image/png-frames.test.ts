// The APNG frame count comes from the acTL chunk before the first IDAT; the walk never reads out of bounds.
import { describe, expect, it } from '@jest/globals';

import { pngFrameCount } from '../../src/image/png-frames.js';
import { pngChunk } from '@airlock/testing/images';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const IHDR = pngChunk('IHDR', Buffer.alloc(13));
const IDAT = pngChunk('IDAT', Buffer.alloc(4));
const actl = (frames: number): Buffer => {
  const data = Buffer.alloc(8);
  data.writeUInt32BE(frames, 0);
  return pngChunk('acTL', data);
};

describe('pngFrameCount', () => {
  it('is undefined for a still PNG', () => {
    expect(pngFrameCount(Buffer.concat([SIGNATURE, IHDR, IDAT]))).toBeUndefined();
  });

  it('reads num_frames from acTL', () => {
    expect(pngFrameCount(Buffer.concat([SIGNATURE, IHDR, actl(7), IDAT]))).toBe(7);
    expect(pngFrameCount(Buffer.concat([SIGNATURE, IHDR, actl(0xffffffff), IDAT]))).toBe(0xffffffff);
  });

  it('ignores an acTL after the first IDAT, as decoders do', () => {
    expect(pngFrameCount(Buffer.concat([SIGNATURE, IHDR, IDAT, actl(500)]))).toBeUndefined();
  });

  it('counts a malformed acTL as too many frames rather than none', () => {
    const malformed = pngChunk('acTL', Buffer.alloc(9));
    expect(pngFrameCount(Buffer.concat([SIGNATURE, IHDR, malformed, IDAT]))).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('stops at a chunk whose length runs past the end, and at truncated input', () => {
    const lying = Buffer.from(IHDR);
    lying.writeUInt32BE(0x7fffffff, 0);
    expect(pngFrameCount(Buffer.concat([SIGNATURE, lying, actl(500)]))).toBeUndefined();
    expect(pngFrameCount(SIGNATURE)).toBeUndefined();
    expect(pngFrameCount(Buffer.concat([SIGNATURE, IHDR.subarray(0, 6)]))).toBeUndefined();
  });

  it('reads a PNG that is a view into a larger buffer', () => {
    const png = Buffer.concat([SIGNATURE, IHDR, actl(3), IDAT]);
    const padded = Buffer.concat([Buffer.alloc(5), png, Buffer.alloc(5)]);
    expect(pngFrameCount(padded.subarray(5, 5 + png.length))).toBe(3);
  });
});
