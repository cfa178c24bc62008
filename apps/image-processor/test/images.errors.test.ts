// POST /images error cases: what is not an accepted image is 415, what is too big is 413 or 422, what is broken
// is 422, and a busy service says so (503) instead of queueing. Each answer is the one envelope with a stable code.
import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { gzipSync } from 'node:zlib';
import { errorCode } from '@airlock/testing/http';

import { MAX_BODY_BYTES, MAX_FRAMES } from '../src/image/limits.js';
import { Slots } from '../src/slots.js';
import { animatedWebp, apng, gif, photo, pngChunk, SVG, tiff } from '@airlock/testing/images';
import { auditLines, createHarness } from './support/harness.js';
import type { Harness } from './support/harness.js';

let harness: Harness;
let token: string;
let jpeg: Buffer;
let png: Buffer;
let webp: Buffer;

beforeAll(async () => {
  harness = await createHarness();
  token = await harness.token();
  [jpeg, png, webp] = await Promise.all([
    photo('jpeg', { width: 64, height: 64 }),
    photo('png', { width: 64, height: 64 }),
    photo('webp', { width: 64, height: 64 }),
  ]);
});

function upload(body: Buffer | string, contentType?: string, app = harness.app): request.Test {
  const test = request(app).post('/images').set('Authorization', `Bearer ${token}`);
  if (contentType !== undefined) test.set('Content-Type', contentType);
  return test.send(body);
}

describe('415 unsupported_media_type', () => {
  it.each([
    ['no Content-Type', undefined],
    ['application/octet-stream', 'application/octet-stream'],
    ['image/jpg (not a registered type)', 'image/jpg'],
    ['image/gif', 'image/gif'],
    ['image/svg+xml', 'image/svg+xml'],
    ['multipart/form-data', 'multipart/form-data; boundary=x'],
  ])('refuses a JPEG declared as %s', async (_name, contentType) => {
    const response = await upload(jpeg, contentType).expect(415);
    expect(errorCode(response)).toBe('unsupported_media_type');
  });

  it.each([
    ['PNG bytes declared as image/jpeg', 'png', 'image/jpeg'],
    ['JPEG bytes declared as image/png', 'jpeg', 'image/png'],
    ['WebP bytes declared as image/png', 'webp', 'image/png'],
  ] as const)(
    'refuses %s: the magic bytes must match the declared type',
    async (_name, format, contentType) => {
      const body = { jpeg, png, webp }[format];
      const response = await upload(body, contentType).expect(415);
      expect(errorCode(response)).toBe('unsupported_media_type');
    },
  );

  it('refuses GIF, TIFF, SVG and text, whatever they are declared as', async () => {
    for (const body of [await gif(), await tiff(), SVG, Buffer.from('hello, not an image')]) {
      for (const contentType of ['image/png', 'image/jpeg', 'image/webp']) {
        const response = await upload(body, contentType).expect(415);
        expect(errorCode(response)).toBe('unsupported_media_type');
      }
    }
  });

  it('refuses a compressed body instead of inflating it', async () => {
    const response = await upload(gzipSync(png), 'image/png').set('Content-Encoding', 'gzip').expect(415);
    expect(errorCode(response)).toBe('unsupported_media_type');
  });

  it('refuses a RIFF container that is not WebP (a WAV header)', async () => {
    const wav = Buffer.concat([Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'), Buffer.alloc(32)]);
    const response = await upload(wav, 'image/webp').expect(415);
    expect(errorCode(response)).toBe('unsupported_media_type');
  });
});

describe('size limits', () => {
  it('answers 413 payload_too_large for a body over the limit', async () => {
    const body = Buffer.concat([png, Buffer.alloc(MAX_BODY_BYTES + 1 - png.length)]);
    const response = await upload(body, 'image/png').expect(413);
    expect(errorCode(response)).toBe('payload_too_large');
  });

  it('accepts a body of exactly the limit (trailing bytes after IEND are ignored by the decoder)', async () => {
    const body = Buffer.concat([png, Buffer.alloc(MAX_BODY_BYTES - png.length)]);
    const response = await upload(body, 'image/png');
    // libpng stops at IEND; what follows is not decoded, so the upload is a valid image of the maximum size.
    expect(response.status).toBe(200);
  });

  it('answers 400 body_required for an empty body', async () => {
    const response = await upload(Buffer.alloc(0), 'image/png').expect(400);
    expect(errorCode(response)).toBe('body_required');
  });
});

describe('422 for images that are broken or refused by the limits', () => {
  it.each([
    ['jpeg', 'image/jpeg'],
    ['png', 'image/png'],
    ['webp', 'image/webp'],
  ] as const)('refuses a truncated %s with image_invalid', async (format, contentType) => {
    const whole = await photo(format, { width: 300, height: 300 });
    const response = await upload(whole.subarray(0, Math.floor(whole.length / 2)), contentType).expect(422);
    expect(errorCode(response)).toBe('image_invalid');
  });

  it('refuses a PNG whose pixel data is garbage with image_invalid', async () => {
    const corrupt = Buffer.from(png);
    corrupt.fill(0xa5, 60, corrupt.length - 20);
    const response = await upload(corrupt, 'image/png').expect(422);
    expect(errorCode(response)).toBe('image_invalid');
  });

  it('refuses a bare signature with image_invalid', async () => {
    const response = await upload(Buffer.from([0xff, 0xd8, 0xff, 0xe0]), 'image/jpeg').expect(422);
    expect(errorCode(response)).toBe('image_invalid');
  });

  it(`refuses an APNG declaring more than ${MAX_FRAMES} frames with too_many_frames`, async () => {
    const response = await upload(await apng(MAX_FRAMES + 1), 'image/png').expect(422);
    expect(errorCode(response)).toBe('too_many_frames');
  });

  it('refuses an APNG whose acTL chunk is malformed with too_many_frames, rather than ignoring it', async () => {
    const still = await photo('png', { width: 16, height: 16 });
    // 9 bytes instead of 8, with a correct CRC: libpng skips the chunk, the frame check does not.
    const malformed = Buffer.concat([
      still.subarray(0, 33),
      pngChunk('acTL', Buffer.alloc(9)),
      still.subarray(33),
    ]);
    const response = await upload(malformed, 'image/png').expect(422);
    expect(errorCode(response)).toBe('too_many_frames');
  });

  it('accepts an APNG within the frame limit and thumbnails its default image', async () => {
    await upload(await apng(MAX_FRAMES), 'image/png').expect(200);
  });

  it(`refuses an animated WebP with more than ${MAX_FRAMES} frames with too_many_frames`, async () => {
    const response = await upload(await animatedWebp(MAX_FRAMES + 1), 'image/webp').expect(422);
    expect(errorCode(response)).toBe('too_many_frames');
  });

  it('accepts an animated WebP within the frame limit and thumbnails its first frame', async () => {
    await upload(await animatedWebp(3), 'image/webp').expect(200);
  });
});

describe('routing', () => {
  it.each(['get', 'put', 'delete', 'patch'] as const)(
    'answers %s /images with 405 and Allow: POST',
    async (method) => {
      const response = await request(harness.app)[method]('/images').set('Authorization', `Bearer ${token}`);
      expect(response.status).toBe(405);
      expect(response.headers['allow']).toBe('POST');
      expect(errorCode(response)).toBe('method_not_allowed');
    },
  );

  it('answers unknown paths with 404', async () => {
    const response = await request(harness.app)
      .post('/images/upload')
      .set('Authorization', `Bearer ${token}`);
    expect(response.status).toBe(404);
  });
});

describe('503 when busy', () => {
  it('refuses with Retry-After while every request slot is taken, and recovers once one is free', async () => {
    const requests = new Slots(1);
    const busy = await createHarness({ capacity: { requests, jobs: new Slots(1) } });
    const busyToken = await busy.token();
    const release = requests.tryAcquire();
    const refused = await request(busy.app)
      .post('/images')
      .set('Authorization', `Bearer ${busyToken}`)
      .set('Content-Type', 'image/png')
      .send(png)
      .expect(503);
    expect(errorCode(refused)).toBe('service_unavailable');
    expect(refused.headers['retry-after']).toBe('1');
    release?.();
    await request(busy.app)
      .post('/images')
      .set('Authorization', `Bearer ${busyToken}`)
      .set('Content-Type', 'image/png')
      .send(png)
      .expect(200);
    expect(requests.inUse).toBe(0);
  });

  it('refuses with 503 while every decoding slot is taken', async () => {
    const jobs = new Slots(1);
    const busy = await createHarness({ capacity: { requests: new Slots(4), jobs } });
    const release = jobs.tryAcquire();
    const response = await upload(png, 'image/png', busy.app)
      .set('Authorization', `Bearer ${await busy.token()}`)
      .expect(503);
    expect(errorCode(response)).toBe('service_unavailable');
    expect(auditLines(busy.logLines())).toEqual([
      expect.objectContaining({ decision: 'deny', reason: 'service_unavailable', subject: 'alice' }),
    ]);
    release?.();
  });

  it('gives every slot back after refusals and failures', async () => {
    const requests = new Slots(2);
    const jobs = new Slots(1);
    const app = (await createHarness({ capacity: { requests, jobs } })).app;
    await upload(Buffer.from('nope'), 'image/png', app);
    await upload(png.subarray(0, 100), 'image/png', app);
    await upload(png, 'image/png', app);
    expect(requests.inUse).toBe(0);
    expect(jobs.inUse).toBe(0);
  });
});
