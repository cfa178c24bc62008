// Reads the frame count an animated PNG (APNG) declares. libvips decodes only a PNG's default image and does not
// report APNG frames, so the frame limit for PNG is enforced from the acTL chunk here.

const SIGNATURE_LENGTH = 8;
// length (4) + type (4) before the data, CRC (4) after it.
const CHUNK_OVERHEAD = 12;
const ACTL_DATA_LENGTH = 8;

/**
 * `num_frames` from the acTL chunk, or undefined for a still PNG. acTL must precede the first IDAT (APNG spec), so
 * the walk stops there; a chunk that runs past the end stops it too (the decoder then reports the truncation).
 * Every read is bounds-checked, and each step advances by at least 12 bytes, so the walk is linear in the input.
 */
export function pngFrameCount(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = SIGNATURE_LENGTH;
  while (offset + CHUNK_OVERHEAD <= bytes.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (type === 'IDAT') return undefined;
    if (length > bytes.length - offset - CHUNK_OVERHEAD) return undefined;
    if (type === 'acTL') {
      // A malformed acTL is left to count as animated with an impossible number of frames: refused, not ignored.
      return length === ACTL_DATA_LENGTH ? view.getUint32(offset + 8) : Number.MAX_SAFE_INTEGER;
    }
    offset += CHUNK_OVERHEAD + length;
  }
  return undefined;
}
