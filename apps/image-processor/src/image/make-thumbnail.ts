// Turns an upload whose container format is already known into a small, re-encoded WebP thumbnail. A PNG's compressed
// metadata is bounded first; the header is then read and judged against the limits; only then are pixels decoded,
// with the limits enforced again by libvips.
import { performance } from 'node:perf_hooks';

import sharp from 'sharp';
import type { Metadata, SharpOptions } from 'sharp';

import type { ImageFormat } from './detect-format.js';
import { ImageError } from './image-error.js';
import {
  MAX_FRAMES,
  MAX_INPUT_PIXELS,
  MAX_SIDE_PIXELS,
  MAX_WHOLE_IMAGE_DECODE_BYTES,
  PROCESSING_TIMEOUT_SECONDS,
  THUMBNAIL_MAX_SIDE,
  THUMBNAIL_QUALITY,
} from './limits.js';
import { pngFrameCount } from './png-frames.js';
import { checkPngMetadata } from './png-metadata.js';

export interface SourceImage {
  readonly format: ImageFormat;
  /** As displayed, after the EXIF orientation is applied. */
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
}

export interface Thumbnail {
  readonly contentType: 'image/webp';
  readonly width: number;
  readonly height: number;
  readonly data: Buffer;
}

export interface ThumbnailResult {
  readonly source: SourceImage;
  readonly thumbnail: Thumbnail;
}

// For every read of untrusted bytes. `failOn: 'warning'` is libvips' strictest level (sharp's advice for untrusted
// input): a truncated or corrupt image is an error, never a half-decoded picture. Only the first frame is read.
const UNTRUSTED_INPUT: SharpOptions = {
  failOn: 'warning',
  sequentialRead: true,
  pages: 1,
  limitInputChannels: 4,
  unlimited: false,
};

/**
 * Resolves with the thumbnail, or rejects with an ImageError (and nothing else). `format` is what the magic bytes
 * said; the decoder must agree.
 */
export async function makeThumbnail(input: Buffer, format: ImageFormat): Promise<ThumbnailResult> {
  // Before any decoder runs: reading the header is what inflates a PNG's compressed metadata.
  if (format === 'png') checkPngMetadata(input);
  const header = await readHeader(input);
  checkHeader(header, format, input);
  const thumbnail = await encodeThumbnail(input);
  return {
    source: { format, width: header.autoOrient.width, height: header.autoOrient.height, bytes: input.length },
    thumbnail,
  };
}

async function readHeader(input: Buffer): Promise<Metadata> {
  try {
    // Header only: no pixel is decoded here, so the pixel limit is judged below, by us, with a code of our own.
    return await sharp(input, { ...UNTRUSTED_INPUT, limitInputPixels: false }).metadata();
  } catch (error) {
    throw new ImageError('image_invalid', `header unreadable: ${describe(error)}`);
  }
}

function checkHeader(header: Metadata, format: ImageFormat, input: Buffer): void {
  if (header.format !== format) {
    throw new ImageError('image_invalid', `decoder saw ${header.format}, magic bytes said ${format}`);
  }
  const { width, height } = header;
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1) {
    throw new ImageError('image_invalid', 'header has no usable dimensions');
  }
  if (width > MAX_SIDE_PIXELS || height > MAX_SIDE_PIXELS || width * height > MAX_INPUT_PIXELS) {
    throw new ImageError('image_too_large', `${width}x${height} exceeds the pixel limits`);
  }
  const decodeBytes = wholeImageDecodeBytes(header);
  if (decodeBytes > MAX_WHOLE_IMAGE_DECODE_BYTES) {
    throw new ImageError('image_too_large', `decoding would hold ${decodeBytes} bytes at once`);
  }
  const frames = frameCount(header, input);
  if (frames > MAX_FRAMES) {
    throw new ImageError('too_many_frames', `${frames} frames declared`);
  }
}

/**
 * Bytes a decoder must hold at once for images it cannot stream (see MAX_WHOLE_IMAGE_DECODE_BYTES); 0 for those it
 * can. An upper bound from the header (measured: a 24 MP 4:2:0 progressive JPEG estimated at 96 MB grew RSS by 76 MB).
 */
export function wholeImageDecodeBytes(header: Metadata): number {
  const pixels = header.width * header.height;
  const bytesPerSample = header.depth === 'uchar' || header.depth === 'char' ? 1 : 2;
  // Progressive JPEG: one 16-bit DCT coefficient per sample, for every scan to refine.
  if (header.format === 'jpeg' && header.isProgressive) return pixels * jpegSamplesPerPixel(header) * 2;
  // Interlaced (Adam7) PNG: every pixel, until the last pass.
  if (header.format === 'png' && header.isProgressive) return pixels * header.channels * bytesPerSample;
  // Animated WebP: frames are composited onto an RGBA canvas of the full size, even for the first frame alone.
  if (header.format === 'webp' && (header.pages ?? 1) > 1) return pixels * 4;
  return 0;
}

/**
 * Samples per pixel a JPEG's components store. sharp reports `4:4:4` (or `4:4:4:4`) when no component is subsampled
 * and `4:2:0` (or `4:2:0:4`) when any is; a subsampled chroma plane holds at most half the samples (4:2:2), so that
 * bound is used. The two chroma planes are the subsampled ones; luma and a CMYK/YCCK fourth plane are full.
 */
function jpegSamplesPerPixel(header: Metadata): number {
  if (header.channels < 3) return header.channels;
  const subsampling = header.chromaSubsampling;
  const chroma = subsampling === undefined || subsampling.startsWith('4:4:4') ? 1 : 0.5;
  return header.channels - 2 + 2 * chroma;
}

function frameCount(header: Metadata, input: Buffer): number {
  if (header.format === 'png') return pngFrameCount(input) ?? 1;
  return header.pages ?? 1;
}

async function encodeThumbnail(input: Buffer): Promise<Thumbnail> {
  const started = performance.now();
  try {
    const { data, info } = await sharp(input, {
      ...UNTRUSTED_INPUT,
      // Enforced again by libvips, on what the decoder itself reads, in case the header check was fooled.
      limitInputPixels: MAX_INPUT_PIXELS,
      // Applied to the pixels before the metadata (EXIF Orientation included) is dropped, so the thumbnail is upright.
      autoOrient: true,
    })
      .timeout({ seconds: PROCESSING_TIMEOUT_SECONDS })
      .resize({
        width: THUMBNAIL_MAX_SIDE,
        height: THUMBNAIL_MAX_SIDE,
        fit: 'inside',
        withoutEnlargement: true,
      })
      // No keepMetadata/withMetadata: libvips writes no EXIF, ICC, XMP or IPTC and converts to sRGB.
      .webp({ quality: THUMBNAIL_QUALITY })
      .toBuffer({ resolveWithObject: true });
    return { contentType: 'image/webp', width: info.width, height: info.height, data };
  } catch (error) {
    // Classified by elapsed time rather than by parsing libvips' message text, which is not a stable interface.
    const timedOut = performance.now() - started >= PROCESSING_TIMEOUT_SECONDS * 1000;
    throw new ImageError(
      timedOut ? 'processing_timeout' : 'image_invalid',
      `decoding failed: ${describe(error)}`,
    );
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
