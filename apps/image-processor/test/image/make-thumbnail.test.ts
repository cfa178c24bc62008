// makeThumbnail on its own: only the three allowed libvips loaders run, whatever format the caller names, and the
// decode-memory estimate covers the decoders that cannot stream.
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Metadata } from 'sharp';

import { configureSharp } from '../../src/image/configure-sharp.js';
import type { ImageFormat } from '../../src/image/detect-format.js';
import { ImageError } from '../../src/image/image-error.js';
import { MAX_WHOLE_IMAGE_DECODE_BYTES } from '../../src/image/limits.js';
import { makeThumbnail, wholeImageDecodeBytes } from '../../src/image/make-thumbnail.js';
import { gif, photo, SVG, tiff } from '@airlock/testing/images';

beforeAll(() => {
  configureSharp();
});

async function refusal(input: Buffer, format: ImageFormat): Promise<unknown> {
  try {
    await makeThumbnail(input, format);
  } catch (error) {
    return error instanceof ImageError ? error.code : error;
  }
  return 'accepted';
}

describe('makeThumbnail', () => {
  it('refuses formats whose loaders are blocked, even when the magic-byte check is bypassed', async () => {
    for (const format of ['png', 'jpeg', 'webp'] as const) {
      expect(await refusal(SVG, format)).toBe('image_invalid');
      expect(await refusal(await gif(), format)).toBe('image_invalid');
      expect(await refusal(await tiff(), format)).toBe('image_invalid');
    }
  });

  it('refuses an image whose decoder disagrees with the format it was announced as', async () => {
    expect(await refusal(await photo('png', { width: 8, height: 8 }), 'jpeg')).toBe('image_invalid');
  });

  it('rejects with ImageError only, never with a libvips error', async () => {
    await expect(makeThumbnail(Buffer.from('garbage'), 'png')).rejects.toBeInstanceOf(ImageError);
  });
});

describe('wholeImageDecodeBytes', () => {
  const header = (fields: Partial<Metadata>): Metadata =>
    ({ width: 4000, height: 6000, channels: 3, depth: 'uchar', isProgressive: false, ...fields }) as Metadata;

  it('is 0 for decoders that stream: baseline JPEG, non-interlaced PNG, still WebP', () => {
    expect(wholeImageDecodeBytes(header({ format: 'jpeg' }))).toBe(0);
    expect(wholeImageDecodeBytes(header({ format: 'png', depth: 'ushort', channels: 4 }))).toBe(0);
    expect(wholeImageDecodeBytes(header({ format: 'webp' }))).toBe(0);
  });

  it('counts 2 bytes per stored sample for progressive JPEG', () => {
    const progressive = (fields: Partial<Metadata>): number =>
      wholeImageDecodeBytes(header({ format: 'jpeg', isProgressive: true, ...fields }));
    const pixels = 4000 * 6000;
    expect(progressive({ chromaSubsampling: '4:4:4' })).toBe(pixels * 3 * 2);
    // Subsampled chroma is counted at half size (4:2:2), the most any subsampling keeps.
    expect(progressive({ chromaSubsampling: '4:2:0' })).toBe(pixels * 2 * 2);
    expect(progressive({ chromaSubsampling: '4:2:0:4', channels: 4 })).toBe(pixels * 3 * 2);
    expect(progressive({ chromaSubsampling: '4:4:4:4', channels: 4 })).toBe(pixels * 4 * 2);
    expect(progressive({ channels: 1 })).toBe(pixels * 2);
  });

  it('lets a 24 MP progressive phone photo (4:2:0) through, but not a 24 MP 4:4:4 one', () => {
    const progressive = (chromaSubsampling: string): number =>
      wholeImageDecodeBytes(header({ format: 'jpeg', isProgressive: true, chromaSubsampling }));
    expect(progressive('4:2:0')).toBeLessThanOrEqual(MAX_WHOLE_IMAGE_DECODE_BYTES);
    expect(progressive('4:4:4')).toBeGreaterThan(MAX_WHOLE_IMAGE_DECODE_BYTES);
  });

  it('counts the whole raster for interlaced PNG, by bit depth', () => {
    expect(wholeImageDecodeBytes(header({ format: 'png', isProgressive: true, channels: 4 }))).toBe(
      4000 * 6000 * 4,
    );
    expect(
      wholeImageDecodeBytes(header({ format: 'png', isProgressive: true, channels: 4, depth: 'ushort' })),
    ).toBe(4000 * 6000 * 8);
  });

  it('counts an RGBA canvas for animated WebP', () => {
    expect(wholeImageDecodeBytes(header({ format: 'webp', pages: 2 }))).toBe(4000 * 6000 * 4);
  });
});
