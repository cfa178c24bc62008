// Reads the frame count an animated PNG (APNG) declares. libvips decodes only a PNG's default image and does not
// report APNG frames, so the frame limit for PNG is enforced from the acTL chunk here.
import { pngChunks } from './png-chunks.js';

const ACTL_DATA_LENGTH = 8;

/**
 * `num_frames` from the acTL chunk, or undefined for a still PNG. acTL must precede the first IDAT (APNG spec), so
 * the walk stops there; a chunk that runs past the end stops it too (the decoder then reports the truncation).
 */
export function pngFrameCount(bytes: Uint8Array): number | undefined {
  for (const { type, data } of pngChunks(bytes)) {
    if (type === 'IDAT') return undefined;
    if (type === 'acTL') {
      // A malformed acTL is left to count as animated with an impossible number of frames: refused, not ignored.
      return data.length === ACTL_DATA_LENGTH
        ? new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0)
        : Number.MAX_SAFE_INTEGER;
    }
  }
  return undefined;
}
