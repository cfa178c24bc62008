// Images built by the tests themselves: ordinary photos in the three formats, and hostile inputs crafted byte by
// byte (pixel floods, decompression bombs, disguised formats, animations). Nothing is read from disk or network.
import { crc32, createDeflate, deflateSync } from 'node:zlib';

import sharp from 'sharp';

export type Format = 'jpeg' | 'png' | 'webp';

export interface PhotoOptions {
  readonly width?: number;
  readonly height?: number;
  /** Write EXIF (camera, GPS-like text), an ICC profile and XMP into the file. */
  readonly withMetadata?: boolean;
  /** EXIF Orientation tag, 1..8. */
  readonly orientation?: number;
}

const XMP = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>secret-photographer</dc:creator>
</rdf:Description></rdf:RDF></x:xmpmeta>`;

/** A noisy (so not trivially compressible) RGB picture in the given format. */
export async function photo(format: Format, options: PhotoOptions = {}): Promise<Buffer> {
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  let image = sharp({
    create: {
      width,
      height,
      channels: 3,
      background: '#000000',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  }).toFormat(format);
  if (options.withMetadata === true) {
    image = image
      .withExif({
        IFD0: { Make: 'SecretCam', Model: 'Model X', Artist: 'alice@example.test', Copyright: 'mine' },
      })
      .withIccProfile('p3')
      .withXmp(XMP);
  }
  if (options.orientation !== undefined) image = image.withMetadata({ orientation: options.orientation });
  return image.toBuffer();
}

// --- PNG, byte by byte --------------------------------------------------------------------------------------

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

interface PngHeader {
  readonly width: number;
  readonly height: number;
  /** 8 or 16. */
  readonly depth?: number;
  /** 2 RGB, 6 RGBA. */
  readonly colorType?: number;
  readonly interlaced?: boolean;
}

function ihdr(header: PngHeader): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(header.width, 0);
  data.writeUInt32BE(header.height, 4);
  data[8] = header.depth ?? 8;
  data[9] = header.colorType ?? 2;
  data[12] = header.interlaced === true ? 1 : 0;
  return pngChunk('IHDR', data);
}

export function pngFile(header: PngHeader, idat: Buffer, extraChunks: Buffer[] = []): Buffer {
  return Buffer.concat([
    PNG_SIGNATURE,
    ihdr(header),
    ...extraChunks,
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export type CompressedTextChunk = 'zTXt' | 'iTXt';

/**
 * Metadata bomb: a small, valid PNG photo carrying `count` compressed text chunks (zTXt, or compressed iTXt) that
 * each inflate to `inflatedBytes`. 64 chunks of 1 MiB are about 68 KB on the wire and 64 MiB once a decoder reads
 * its metadata. Inserted right after IHDR, where text chunks usually sit.
 */
export async function pngWithCompressedText(
  count: number,
  inflatedBytes: number,
  kind: CompressedTextChunk = 'zTXt',
): Promise<Buffer> {
  const base = await photo('png', { width: 64, height: 48 });
  const afterIhdr = PNG_SIGNATURE.length + 25;
  return Buffer.concat([
    base.subarray(0, afterIhdr),
    ...compressedTextChunks(count, inflatedBytes, kind),
    base.subarray(afterIhdr),
  ]);
}

/** The chunks pngWithCompressedText inserts, for tests that place them elsewhere. */
export function compressedTextChunks(
  count: number,
  inflatedBytes: number,
  kind: CompressedTextChunk,
): Buffer[] {
  const compressed = deflateSync(Buffer.alloc(inflatedBytes, 0x41), { level: 9 });
  return Array.from({ length: count }, (_unused, index) => {
    const keyword = Buffer.from(`Comment${String(index)}\0`, 'latin1');
    // zTXt: keyword, NUL, method 0. iTXt: keyword, NUL, compressed flag 1, method 0, empty language and
    // translated keyword (each NUL-terminated).
    const header = kind === 'zTXt' ? Buffer.from([0]) : Buffer.from([1, 0, 0, 0]);
    return pngChunk(kind, Buffer.concat([keyword, header, compressed]));
  });
}

/**
 * Pixel flood: a header claiming `width` x `height` followed by a valid zlib stream of `zeroBytes` zeros. A few
 * kilobytes on the wire; 30 GB of RGB if anything believed the header at 100000 x 100000.
 */
export function pngFlood(width: number, height: number, zeroBytes = 1 << 20): Buffer {
  return pngFile({ width, height }, deflateSync(Buffer.alloc(zeroBytes), { level: 9 }));
}

/**
 * Decompression bomb: a complete, valid PNG whose pixels are all zero. Every scanline is there (filter byte 0 and
 * zeros), compressed about 1000:1, so the image is genuine and decodes; only its decoded size is large.
 */
export async function pngZeroBomb(header: PngHeader): Promise<Buffer> {
  const channels = header.colorType === 6 ? 4 : 3;
  const bytesPerSample = (header.depth ?? 8) / 8;
  const rawBytes =
    header.interlaced === true
      ? adam7Bytes(header, channels * bytesPerSample)
      : header.height * (1 + header.width * channels * bytesPerSample);
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (part: Buffer) => parts.push(part));
  const zeros = Buffer.alloc(1 << 20);
  // Streamed in 1 MiB pieces, so building a 200 MB bomb costs the test a few megabytes.
  for (let left = rawBytes; left > 0; left -= zeros.length) {
    deflate.write(zeros.subarray(0, Math.min(left, zeros.length)));
  }
  await new Promise<void>((resolve) => deflate.end(resolve));
  return pngFile(header, Buffer.concat(parts));
}

function adam7Bytes(header: PngHeader, bytesPerPixel: number): number {
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ] as const;
  let total = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const width = Math.ceil((header.width - x0) / dx);
    const height = Math.ceil((header.height - y0) / dy);
    if (width > 0 && height > 0) total += height * (1 + width * bytesPerPixel);
  }
  return total;
}

/** An APNG: a valid still PNG with an acTL chunk declaring `frames` frames inserted after IHDR. */
export async function apng(frames: number): Promise<Buffer> {
  const still = await photo('png', { width: 16, height: 16 });
  const afterIhdr = 8 + 25;
  const actl = Buffer.alloc(8);
  actl.writeUInt32BE(frames, 0);
  return Buffer.concat([still.subarray(0, afterIhdr), pngChunk('acTL', actl), still.subarray(afterIhdr)]);
}

// --- JPEG and WebP, patched -----------------------------------------------------------------------------------

/** A real baseline JPEG whose SOF0 marker is rewritten to claim `width` x `height` (at most 65535 each). */
export async function jpegClaiming(width: number, height: number): Promise<Buffer> {
  const jpeg = Buffer.from(await photo('jpeg', { width: 16, height: 16 }));
  const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
  if (sof === -1) throw new Error('no SOF0 marker');
  // FF C0, length (2), precision (1), then height and width.
  jpeg.writeUInt16BE(height, sof + 5);
  jpeg.writeUInt16BE(width, sof + 7);
  return jpeg;
}

/** A real lossless WebP whose VP8L header is rewritten to claim 16383 x 16383 (libwebp's largest). */
export async function webpClaimingMaximum(): Promise<Buffer> {
  const webp = Buffer.from(
    await sharp({ create: { width: 16, height: 16, channels: 3, background: '#336699' } })
      .webp({ lossless: true })
      .toBuffer(),
  );
  if (webp.toString('latin1', 12, 16) !== 'VP8L') throw new Error('expected a simple lossless WebP');
  // RIFF header (12) + chunk header (8) + signature byte 0x2f; then 14 bits width-1, 14 bits height-1, ...
  const bits = webp.readUInt32LE(21);
  const maximum = 16383 - 1;
  webp.writeUInt32LE(((bits & ~0x0fffffff) | maximum | (maximum << 14)) >>> 0, 21);
  return webp;
}

/** An animated WebP with `frames` distinct frames of 8 x 8. */
export async function animatedWebp(frames: number): Promise<Buffer> {
  const height = 8 * frames;
  const pixels = await sharp({
    create: {
      width: 8,
      height,
      channels: 3,
      background: '#000000',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .raw()
    .toBuffer();
  return sharp(pixels, { raw: { width: 8, height, channels: 3, pageHeight: 8 } })
    .webp({ loop: 0 })
    .toBuffer();
}

// --- Other formats, to be refused -------------------------------------------------------------------------------

export const SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><script>alert(1)</script>' +
    '<image href="file:///etc/passwd"/><rect width="100" height="100"/></svg>',
);

export function gif(): Promise<Buffer> {
  return sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } })
    .gif()
    .toBuffer();
}

export function tiff(): Promise<Buffer> {
  return sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } })
    .tiff()
    .toBuffer();
}
