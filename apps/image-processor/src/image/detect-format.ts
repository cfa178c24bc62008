// Identifies an upload by its leading bytes (magic numbers), never by a file name or the declared Content-Type,
// and maps the three accepted formats to and from their media types.

export const IMAGE_FORMATS = ['jpeg', 'png', 'webp'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

const MEDIA_TYPES: Readonly<Record<ImageFormat, string>> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
};

export function mediaTypeOf(format: ImageFormat): string {
  return MEDIA_TYPES[format];
}

/**
 * The accepted format a Content-Type header names, or undefined. Parameters are ignored and the type is compared
 * case-insensitively (RFC 9110 §8.3.1); `image/jpg`, `image/svg+xml` and everything else are not accepted.
 */
export function formatOfContentType(contentType: string | undefined): ImageFormat | undefined {
  if (contentType === undefined) return undefined;
  const [mediaType = ''] = contentType.split(';', 1);
  const normalized = mediaType.trim().toLowerCase();
  return IMAGE_FORMATS.find((format) => MEDIA_TYPES[format] === normalized);
}

const JPEG_SOI = [0xff, 0xd8, 0xff];
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const RIFF = [0x52, 0x49, 0x46, 0x46];
const WEBP = [0x57, 0x45, 0x42, 0x50];
// The first chunk of a WebP file says how it is coded: lossy, lossless, or extended (alpha, animation, metadata).
const WEBP_FIRST_CHUNKS = ['VP8 ', 'VP8L', 'VP8X'].map((name) => [...Buffer.from(name, 'latin1')]);

/**
 * The format the bytes start with, or undefined for anything else (GIF, SVG, TIFF, HEIF, text, truncated headers).
 * Only the container signature is checked here; whether the rest is a valid image is the decoder's call.
 */
export function detectFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, JPEG_SOI, 0)) return 'jpeg';
  if (startsWith(bytes, PNG_SIGNATURE, 0)) return 'png';
  // RIFF <uint32 size> WEBP <first chunk>: the size is not trusted (the decoder checks it against the data).
  if (
    startsWith(bytes, RIFF, 0) &&
    startsWith(bytes, WEBP, 8) &&
    WEBP_FIRST_CHUNKS.some((chunk) => startsWith(bytes, chunk, 12))
  ) {
    return 'webp';
  }
  return undefined;
}

function startsWith(bytes: Uint8Array, expected: readonly number[], offset: number): boolean {
  if (bytes.length < offset + expected.length) return false;
  return expected.every((byte, index) => bytes[offset + index] === byte);
}
