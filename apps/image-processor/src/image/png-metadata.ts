// Bounds what a PNG's compressed metadata may inflate to before any decoder reads it. libpng inflates every zTXt,
// compressed iTXt and iCCP chunk while reading the header, outside the pixel limits, and the memory it took is not
// given back: a few kilobytes of such chunks cost hundreds of megabytes. Here they are inflated by us, with a
// hard cap on the output, and the image is refused when the total would pass MAX_PNG_METADATA_INFLATED_BYTES.
import { inflateSync } from 'node:zlib';

import { ImageError } from './image-error.js';
import { MAX_PNG_METADATA_INFLATED_BYTES } from './limits.js';
import { pngChunks } from './png-chunks.js';

/** Throws ImageError (image_too_large, or image_invalid for a broken stream) unless the metadata fits the budget. */
export function checkPngMetadata(bytes: Uint8Array): void {
  let budget = MAX_PNG_METADATA_INFLATED_BYTES;
  // Chunks after IDAT count too: decoders read text chunks wherever they are.
  for (const chunk of pngChunks(bytes)) {
    const stream = compressedStream(chunk.type, chunk.data);
    if (stream === undefined) continue;
    const length = inflatedLength(stream, budget, chunk.type);
    if (length > budget) throw tooLarge(chunk.type);
    budget -= length;
  }
}

/** The zlib stream a compressed metadata chunk carries, or undefined for any other chunk. */
function compressedStream(type: string, data: Uint8Array): Uint8Array | undefined {
  // zTXt and iCCP: keyword, NUL, compression method, stream.
  if (type === 'zTXt' || type === 'iCCP') return data.subarray(afterNul(data, 0) + 1);
  if (type !== 'iTXt') return undefined;
  // iTXt: keyword, NUL, compression flag, method, language tag, NUL, translated keyword, NUL, text.
  const flag = afterNul(data, 0);
  if (data[flag] !== 1) return undefined;
  const language = flag + 2;
  const translated = afterNul(data, language);
  return data.subarray(afterNul(data, translated));
}

/** Index just past the NUL at or after `from`; the data's length when there is none (an empty stream follows). */
function afterNul(data: Uint8Array, from: number): number {
  const nul = data.indexOf(0, from);
  return nul === -1 ? data.length : nul + 1;
}

function inflatedLength(stream: Uint8Array, budget: number, type: string): number {
  try {
    // maxOutputLength stops the inflate itself at the budget: nothing larger is ever allocated.
    return inflateSync(stream, { maxOutputLength: Math.max(1, budget) }).length;
  } catch (error) {
    // By code, not by class: the RangeError may come from another realm (a test runner's sandbox).
    if (
      typeof error === 'object' &&
      error !== null &&
      'code' in error &&
      error.code === 'ERR_BUFFER_TOO_LARGE'
    ) {
      throw tooLarge(type);
    }
    throw new ImageError('image_invalid', `${type} metadata is not a valid zlib stream`);
  }
}

function tooLarge(type: string): ImageError {
  return new ImageError(
    'image_too_large',
    `${type} metadata inflates past ${MAX_PNG_METADATA_INFLATED_BYTES} bytes`,
  );
}
