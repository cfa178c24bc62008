// POST /images happy path: each accepted format becomes a WebP thumbnail that fits 256 x 256, is upright, and
// carries none of the source's metadata (EXIF, ICC, XMP).
import { beforeAll, describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import request from 'supertest';

import { THUMBNAIL_MAX_SIDE } from '../src/image/limits.js';
import { photo } from '@airlock/testing/images';
import type { Format } from '@airlock/testing/images';
import { auditLines, createHarness } from './support/harness.js';
import type { Harness } from './support/harness.js';
import { thumbnailBody } from './support/http.js';

let harness: Harness;
let token: string;

beforeAll(async () => {
  harness = await createHarness();
  token = await harness.token();
});

function upload(body: Buffer, contentType: string): request.Test {
  return request(harness.app)
    .post('/images')
    .set('Authorization', `Bearer ${token}`)
    .set('Content-Type', contentType)
    .send(body);
}

describe.each<[Format, string]>([
  ['jpeg', 'image/jpeg'],
  ['png', 'image/png'],
  ['webp', 'image/webp'],
])('a %s upload', (format, contentType) => {
  it('returns a re-encoded WebP thumbnail that fits the box, and the source dimensions', async () => {
    const input = await photo(format, { width: 640, height: 480 });
    const response = await upload(input, contentType).expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = thumbnailBody(response);
    expect(body.source).toEqual({ format, width: 640, height: 480, bytes: input.length });
    expect(body.thumbnail).toMatchObject({
      contentType: 'image/webp',
      width: THUMBNAIL_MAX_SIDE,
      height: 192,
    });
    const data = Buffer.from(body.thumbnail.dataBase64, 'base64');
    expect(data.length).toBe(body.thumbnail.bytes);
    const decoded = await sharp(data).metadata();
    expect(decoded).toMatchObject({ format: 'webp', width: 256, height: 192 });
  });

  it('strips EXIF, ICC and XMP from the thumbnail', async () => {
    const input = await photo(format, { width: 64, height: 64, withMetadata: true });
    // The fixture really carries the metadata the service must drop.
    const before = await sharp(input).metadata();
    expect(before.exif).toBeDefined();
    expect(before.icc).toBeDefined();
    expect(before.xmp).toBeDefined();

    const body = thumbnailBody(await upload(input, contentType).expect(200));
    const data = Buffer.from(body.thumbnail.dataBase64, 'base64');
    const after = await sharp(data).metadata();
    expect(after.exif).toBeUndefined();
    expect(after.icc).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.iptc).toBeUndefined();
    expect(data.includes('SecretCam')).toBe(false);
    expect(data.includes('secret-photographer')).toBe(false);
  });
});

describe('POST /images', () => {
  it('applies the EXIF orientation before dropping it, so the thumbnail is upright', async () => {
    // Stored 80 x 40 with Orientation 6 (rotate 90°): displayed 40 x 80.
    const input = await photo('jpeg', { width: 80, height: 40, orientation: 6 });
    const body = thumbnailBody(await upload(input, 'image/jpeg').expect(200));
    expect(body.source).toMatchObject({ width: 40, height: 80 });
    expect(body.thumbnail).toMatchObject({ width: 40, height: 80 });
  });

  it('does not enlarge images smaller than the box', async () => {
    const input = await photo('png', { width: 10, height: 20 });
    const body = thumbnailBody(await upload(input, 'image/png').expect(200));
    expect(body.thumbnail).toMatchObject({ width: 10, height: 20 });
  });

  it('accepts media type parameters and any letter case', async () => {
    const input = await photo('webp', { width: 32, height: 32 });
    await upload(input, 'IMAGE/WebP; charset=binary').expect(200);
  });

  it('leaves one allow line in the audit log, with subject and caller but no token', async () => {
    const input = await photo('jpeg', { width: 32, height: 32 });
    const response = await upload(input, 'image/jpeg').expect(200);
    const requestId = response.headers['x-request-id'];
    const lines = auditLines(harness.logLines()).filter((line) => line['requestId'] === requestId);
    expect(lines).toEqual([
      expect.objectContaining({
        route: 'POST /images',
        decision: 'allow',
        reason: 'thumbnail_created',
        subject: 'alice',
        caller: 'gateway',
        client: 'airlock-cli',
      }),
    ]);
    expect(harness.rawLog()).not.toContain(token);
  });
});
