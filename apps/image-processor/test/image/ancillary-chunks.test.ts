// Issue 11, finding 1: a PNG whose compressed metadata chunks (zTXt, iTXt, iCCP) would inflate to far more than the
// picture is refused before any decoder inflates them; ordinary metadata still goes through.
import { deflateSync } from 'node:zlib';

import { describe, expect, it } from '@jest/globals';
import { compressedTextChunks, photo, pngChunk, pngWithCompressedText } from '@airlock/testing/images';

import { ImageError } from '../../src/image/image-error.js';
import { MAX_PNG_METADATA_INFLATED_BYTES } from '../../src/image/limits.js';
import { makeThumbnail } from '../../src/image/make-thumbnail.js';

const MIB = 1024 * 1024;

async function refusalCode(input: Buffer): Promise<unknown> {
  try {
    await makeThumbnail(input, 'png');
  } catch (error) {
    return error instanceof ImageError ? error.code : error;
  }
  return 'accepted';
}

/** A photo with extra chunks right after IHDR. */
async function pngWith(chunks: Buffer[]): Promise<Buffer> {
  const base = await photo('png', { width: 64, height: 48 });
  return Buffer.concat([base.subarray(0, 33), ...chunks, base.subarray(33)]);
}

describe('compressed PNG metadata', () => {
  it.each(['zTXt', 'iTXt'] as const)(
    'refuses 64 %s chunks of 1 MiB each with image_too_large',
    async (kind) => {
      const bomb = await pngWithCompressedText(64, MIB, kind);
      expect(bomb.length).toBeLessThan(100 * 1024);
      await expect(refusalCode(bomb)).resolves.toBe('image_too_large');
    },
  );

  it('refuses one chunk that alone inflates past the budget', async () => {
    const bomb = await pngWithCompressedText(1, MAX_PNG_METADATA_INFLATED_BYTES + 1);
    await expect(refusalCode(bomb)).resolves.toBe('image_too_large');
  });

  it('refuses an oversized iCCP profile', async () => {
    const profile = deflateSync(Buffer.alloc(MAX_PNG_METADATA_INFLATED_BYTES + 1));
    const iccp = pngChunk('iCCP', Buffer.concat([Buffer.from('icc\0\0', 'latin1'), profile]));
    await expect(refusalCode(await pngWith([iccp]))).resolves.toBe('image_too_large');
  });

  it('counts chunks after the image data too', async () => {
    const base = await photo('png', { width: 64, height: 48 });
    const iend = base.subarray(base.length - 12);
    const late = Buffer.concat([
      base.subarray(0, base.length - 12),
      ...compressedTextChunks(64, MIB, 'zTXt'),
      iend,
    ]);
    await expect(refusalCode(late)).resolves.toBe('image_too_large');
  });

  it('refuses compressed metadata that is not a valid zlib stream with image_invalid', async () => {
    const broken = pngChunk('zTXt', Buffer.concat([Buffer.from('k\0\0', 'latin1'), Buffer.from('not zlib')]));
    await expect(refusalCode(await pngWith([broken]))).resolves.toBe('image_invalid');
  });

  it('accepts a few small compressed comments and an uncompressed iTXt', async () => {
    const small = await pngWithCompressedText(4, 4 * 1024);
    await expect(refusalCode(small)).resolves.toBe('accepted');
    const plain = pngChunk('iTXt', Buffer.from('Title\0\0\0\0\0a plain title', 'latin1'));
    await expect(refusalCode(await pngWith([plain]))).resolves.toBe('accepted');
  });
});
