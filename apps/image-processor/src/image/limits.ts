// The limits that bound what one upload may cost: bytes on the wire, pixels, decoder memory, frames, time and
// concurrency. Named here so the README's table, the code and the tests agree on one set of numbers.
import { MAX_UPLOAD_BYTES } from '@airlock/topology';

/**
 * Largest request body: a phone photo fits; anything larger is refused before it is decoded (413). The topology
 * holds it, so the gateway and the web shop admit exactly this much on the routes that carry an upload here.
 */
export const MAX_BODY_BYTES = MAX_UPLOAD_BYTES;

/** Largest width x height accepted (24 megapixels, a 6000 x 4000 photo), checked from the header before decoding. */
export const MAX_INPUT_PIXELS = 24_000_000;

/** Largest width or height: refuses absurd aspect ratios (24,000,000 x 1) that the pixel limit alone lets through. */
export const MAX_SIDE_PIXELS = 16_384;

/**
 * Largest buffer a decoder may need to hold the whole image at once. Baseline JPEG, non-interlaced PNG and WebP
 * decode in strips (or shrink while decoding), so their memory stays small whatever their size. Progressive JPEG
 * keeps every DCT coefficient (2 bytes per sample) and interlaced PNG every pixel until the last pass, so a
 * 24-megapixel 16-bit RGBA interlaced PNG of 190 KB would need 190 MB. Those are sized from the header and
 * refused above this.
 */
export const MAX_WHOLE_IMAGE_DECODE_BYTES = 96 * 1024 * 1024;

/** Most frames an animated WebP or PNG (APNG) may declare; only the first frame is ever decoded. */
export const MAX_FRAMES = 100;

/** libvips stops a pipeline that runs longer than this (sharp's `timeout`); whole seconds. */
export const PROCESSING_TIMEOUT_SECONDS = 5;

/**
 * Images decoded at the same time; each may hold up to MAX_WHOLE_IMAGE_DECODE_BYTES. More are refused
 * (503) rather than queued, so a waiting request never holds its body and connection for long.
 */
export const MAX_CONCURRENT_JOBS = 2;

/**
 * Requests whose whole body has arrived and is being processed or answered. Taken only once the body is in: an
 * upload that trickles in one byte a second holds no slot another user needs (issue 11, finding 5).
 */
export const MAX_CONCURRENT_REQUESTS = 8;

/**
 * Bodies being read at once, bounding buffered bodies to 24 x 5 MiB. Each is bounded in time by the server's 30 s
 * request timeout and per user by MAX_UPLOADS_PER_USER, so filling them takes many accounts, not one slow client.
 */
export const MAX_CONCURRENT_READS = 24;

/** Uploads one user (`sub`) may have in flight, reading or processing; more are refused (429) at once. */
export const MAX_UPLOADS_PER_USER = 2;

/** Seconds a client is told to wait (Retry-After) when every slot is taken. */
export const BUSY_RETRY_AFTER_SECONDS = 1;

/** The thumbnail fits inside a square of this side, keeping the aspect ratio; smaller images are not enlarged. */
export const THUMBNAIL_MAX_SIDE = 256;

/** WebP quality of the thumbnail (libwebp 0-100). */
export const THUMBNAIL_QUALITY = 80;

/**
 * Most bytes a PNG's compressed metadata chunks (zTXt, compressed iTXt, iCCP) may inflate to, all together. A
 * decoder inflates every one of them when it reads the header, outside the pixel limits: 64 zTXt chunks of 1 MiB
 * each (68 KB on the wire) grew the process by 180 to 400 MB per upload. Checked by our own bounded inflate first.
 */
export const MAX_PNG_METADATA_INFLATED_BYTES = 1024 * 1024;
