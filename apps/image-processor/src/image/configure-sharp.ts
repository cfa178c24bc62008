// Process-wide libvips settings for untrusted input: only the three accepted decoders may run, one worker thread
// per image, and no operation cache that would keep one upload's pixels around for the next.
import sharp from 'sharp';

/**
 * The only libvips loaders left enabled, all from memory buffers. Every other loader (SVG through librsvg, GIF,
 * TIFF, HEIF, PDF, ImageMagick, files, ...) is blocked, so even bytes that slipped past the magic-byte check
 * could not reach a decoder we never meant to expose.
 */
export const ALLOWED_LOADERS: readonly string[] = [
  'VipsForeignLoadJpegBuffer',
  'VipsForeignLoadPngBuffer',
  'VipsForeignLoadWebpBuffer',
];

let configured = false;

/** Idempotent; createApp calls it before the first request. */
export function configureSharp(): void {
  if (configured) return;
  sharp.block({ operation: ['VipsForeignLoad'] });
  sharp.unblock({ operation: [...ALLOWED_LOADERS] });
  // One libvips thread per image: with MAX_CONCURRENT_JOBS images at a time, CPU use has a known ceiling.
  sharp.concurrency(1);
  sharp.cache(false);
  configured = true;
}
