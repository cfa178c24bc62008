// POST /images security: the token layer (audience, caller, scope, and every way a token can be wrong), bombs and
// floods refused with bounded memory, disguised formats refused, and nothing of libvips or the token leaking out.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import request from 'supertest';
import { createLogger } from '@airlock/service-kit';
import { serviceTokenVerifierOptions } from '@airlock/service-kit/service-token-verifier';
import { createTokenVerifier } from '@airlock/token-verification';
import { errorCode } from '@airlock/testing/http';
import { TEST_ISSUER } from '@airlock/testing/tokens';
import { describeTokenLayer } from '@airlock/testing/token-layer-suite';

import { createApp } from '../src/app.js';
import { MAX_BODY_BYTES } from '../src/image/limits.js';
import { imagesCreateRoute } from '../src/routes/images.create.js';
import { service, tokenPolicy } from '../src/service.js';
import {
  jpegClaiming,
  photo,
  pngFile,
  pngFlood,
  pngZeroBomb,
  SVG,
  webpClaimingMaximum,
} from '@airlock/testing/images';
import { auditLines, createHarness } from './support/harness.js';
import type { Harness } from './support/harness.js';

let harness: Harness;
let token: string;
let png: Buffer;

beforeAll(async () => {
  harness = await createHarness();
  token = await harness.token();
  png = await photo('png', { width: 64, height: 64 });
});

/** `authorization`: the header to send; null sends none. Default: a valid token. */
function upload(body: Buffer, contentType: string, authorization?: string | null): request.Test {
  const test = request(harness.app).post('/images').set('Content-Type', contentType);
  const header = authorization === undefined ? `Bearer ${token}` : authorization;
  if (header !== null) test.set('Authorization', header);
  return test.send(body);
}

describeTokenLayer({
  service: service.name,
  requiredClaims: tokenPolicy.requiredClaims,
  app: () => harness.app,
  issuer: () => harness.issuer,
  validClaims: { scope: 'images', act: { sub: 'gateway' } },
  headers: { 'Content-Type': 'image/png' },
  body: () => png,
  registeredRoutes: () => [imagesCreateRoute],
});

describe('the token layer: the sandbox’s own cases', () => {
  interface Case {
    readonly name: string;
    readonly authorization: () => Promise<string | null>;
    readonly status: 401 | 403;
    readonly code: string;
  }
  const bearer = async (claims: Record<string, unknown>, options = {}): Promise<string> =>
    `Bearer ${await harness.token(claims, options)}`;
  const cases: Case[] = [
    {
      name: 'relayed by orders instead of the gateway (act.sub orders)',
      authorization: () => bearer({ act: { sub: 'orders' } }),
      status: 403,
      code: 'caller_not_allowed',
    },
    {
      name: 'without the images scope',
      authorization: () => bearer({ scope: 'orders' }),
      status: 403,
      code: 'insufficient_scope',
    },
    {
      name: 'with no scope at all',
      authorization: () => bearer({ scope: undefined }),
      status: 403,
      code: 'insufficient_scope',
    },
  ];

  it.each(cases)('refuses $name with $status $code', async ({ authorization, status, code }) => {
    const response = await upload(png, 'image/png', await authorization()).expect(status);
    expect(errorCode(response)).toBe(code);
  });

  it('fails closed with 503 when the keys of auth cannot be fetched through the gateway', async () => {
    // Port 1 on loopback: nothing listens, the fetch is refused at once. No traffic leaves the machine.
    const verifier = createTokenVerifier(
      serviceTokenVerifierOptions({
        ...tokenPolicy,
        issuer: TEST_ISSUER,
        jwks: new URL('http://127.0.0.1:1/auth/jwks'),
      }),
    );
    const app = createApp({
      logger: createLogger({ service: 'image-processor', level: 'silent' }),
      verifier,
    });
    const response = await request(app)
      .post('/images')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'image/png')
      .send(png)
      .expect(503);
    expect(errorCode(response)).toBe('unavailable');
  });

  it('decides on the token before reading the body: an unauthenticated huge upload is 401, not 413', async () => {
    const response = await upload(Buffer.alloc(MAX_BODY_BYTES + 1), 'image/png', null).expect(401);
    expect(errorCode(response)).toBe('invalid_token');
  });

  it('decides on the caller before the content type', async () => {
    const response = await upload(
      Buffer.from(SVG),
      'image/svg+xml',
      await bearer({ act: { sub: 'orders' } }),
    );
    expect(response.status).toBe(403);
  });

  it('audits each refusal with its reason and the caller, and never logs a token', async () => {
    const ordersToken = await harness.token({ act: { sub: 'orders' } });
    const foreignAudience = await harness.token({ aud: 'orders' });
    const denied = await upload(png, 'image/png', `Bearer ${ordersToken}`).expect(403);
    const replayed = await upload(png, 'image/png', `Bearer ${foreignAudience}`).expect(401);
    const lines = auditLines(harness.logLines());
    expect(lines.find((line) => line['requestId'] === denied.headers['x-request-id'])).toMatchObject({
      decision: 'deny',
      reason: 'caller_not_allowed',
      caller: 'orders',
      route: 'POST /images',
    });
    expect(lines.find((line) => line['requestId'] === replayed.headers['x-request-id'])).toMatchObject({
      decision: 'deny',
      // The verifier's reason names the claim class, never the value.
      reason: 'claim_invalid',
    });
    const log = harness.rawLog();
    for (const secret of [token, ordersToken, foreignAudience]) {
      expect(log).not.toContain(secret);
      // Nor its signature alone.
      expect(log).not.toContain(secret.split('.')[2]);
    }
  });
});

describe('disguised formats', () => {
  it('refuses an SVG declared as image/png (415): the bytes are not a PNG', async () => {
    const response = await upload(SVG, 'image/png').expect(415);
    expect(errorCode(response)).toBe('unsupported_media_type');
  });

  it('refuses an SVG behind a PNG signature (422): only the PNG decoder ever sees it', async () => {
    const response = await upload(Buffer.concat([png.subarray(0, 8), SVG]), 'image/png').expect(422);
    expect(errorCode(response)).toBe('image_invalid');
  });

  it('treats a PNG with an SVG appended as the PNG it starts with: the SVG is never rendered', async () => {
    const response = await upload(Buffer.concat([png, SVG]), 'image/png').expect(200);
    expect(response.body).toMatchObject({ source: { format: 'png', width: 64, height: 64 } });
  });
});

describe('pixel floods and decompression bombs', () => {
  const MB = 1024 * 1024;
  let bombs: { name: string; body: Buffer; contentType: string }[];
  let streamedBomb: Buffer;
  let sampler: NodeJS.Timeout | undefined;

  /**
   * Runs `work` while sampling RSS every 2 ms, and resolves with the peak growth over the RSS before it. Sampled
   * during the requests, not only after: a decode that spikes and frees would hide from a final reading.
   */
  async function peakRssGrowth(work: () => Promise<void>): Promise<number> {
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 2);
    try {
      await work();
    } finally {
      clearInterval(sampler);
    }
    return Math.max(peak, process.memoryUsage().rss) - baseline;
  }

  beforeAll(async () => {
    bombs = [
      {
        name: 'PNG claiming 100000 x 100000 (30 GB of RGB)',
        body: pngFlood(100_000, 100_000),
        contentType: 'image/png',
      },
      { name: 'PNG claiming 24000000 x 1', body: pngFlood(24_000_000, 1), contentType: 'image/png' },
      {
        name: 'JPEG whose SOF claims 65500 x 65500',
        body: await jpegClaiming(65_500, 65_500),
        contentType: 'image/jpeg',
      },
      { name: 'WebP claiming 16383 x 16383', body: await webpClaimingMaximum(), contentType: 'image/webp' },
      {
        // Within the pixel limit, but interlaced 16-bit RGBA: the decoder would hold all 192 MB at once.
        name: 'complete interlaced 16-bit RGBA PNG, 4896 x 4896, all zeros',
        body: await pngZeroBomb({ width: 4896, height: 4896, depth: 16, colorType: 6, interlaced: true }),
        contentType: 'image/png',
      },
      {
        // Within the pixel limit, but progressive 4:4:4: libjpeg would keep 144 MB of DCT coefficients.
        name: 'progressive 4:4:4 JPEG, 6000 x 4000, one colour',
        body: await sharp({ create: { width: 6000, height: 4000, channels: 3, background: '#336699' } })
          .jpeg({ progressive: true, chromaSubsampling: '4:4:4' })
          .toBuffer(),
        contentType: 'image/jpeg',
      },
    ];
    // Within every limit and decodable in strips: accepted, and must not cost its 72 MB decoded size.
    streamedBomb = await pngZeroBomb({ width: 4896, height: 4896 });
    // Warm up: libvips, its loaders and the thread pool are resident before any baseline is taken.
    await upload(await photo('jpeg'), 'image/jpeg').expect(200);
    await upload(png, 'image/png').expect(200);
  });

  afterAll(() => {
    clearInterval(sampler);
  });

  it('refuses each, three times over, with 422 image_too_large from the header alone: RSS barely moves', async () => {
    for (const bomb of bombs) expect(bomb.body.length).toBeLessThan(300 * 1024);
    const growth = await peakRssGrowth(async () => {
      for (let round = 0; round < 3; round += 1) {
        for (const bomb of bombs) {
          const response = await upload(bomb.body, bomb.contentType);
          expect({ name: bomb.name, status: response.status, code: errorCode(response) }).toEqual({
            name: bomb.name,
            status: 422,
            code: 'image_too_large',
          });
        }
      }
    });
    // Measured at about 2 MB; an unbounded decode of any one of these needs 144 MB to 30 GB.
    expect(growth).toBeLessThan(32 * MB);
  });

  it('decodes a 70 KB PNG that inflates to 72 MB in strips, within a bounded RSS', async () => {
    expect(streamedBomb.length).toBeLessThan(100 * 1024);
    const growth = await peakRssGrowth(async () => {
      const response = await upload(streamedBomb, 'image/png').expect(200);
      expect(response.body).toMatchObject({
        source: { width: 4896, height: 4896 },
        thumbnail: { width: 256 },
      });
    });
    // Measured at about 27 MB (line buffers and allocator arenas); holding the raster would add 72 MB to that.
    expect(growth).toBeLessThan(100 * MB);
  });
});

describe('what leaves the service', () => {
  const FIXED_MESSAGES = new Set([
    'The image is corrupt, truncated or not what its header says.',
    'The image exceeds the pixel or memory limits.',
    'The image has too many frames.',
    'The body must be a JPEG, PNG or WebP image, sent uncompressed with the Content-Type of that format (image/jpeg, image/png or image/webp).',
  ]);

  it('answers hostile images with fixed messages only: no libvips, libpng or libjpeg text', async () => {
    const whole = await photo('jpeg', { width: 200, height: 200 });
    const garbledPng = Buffer.from(png);
    garbledPng.fill(0x5a, 40, png.length - 12);
    const inputs: [Buffer, string][] = [
      [whole.subarray(0, 500), 'image/jpeg'],
      [garbledPng, 'image/png'],
      [pngFile({ width: 10, height: 10, depth: 7 }, Buffer.alloc(10)), 'image/png'],
      [Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 \x04\x00\x00\x00\x00\x00\x00\x00', 'latin1'), 'image/webp'],
      [pngFlood(100_000, 100_000), 'image/png'],
      [SVG, 'image/png'],
    ];
    for (const [body, contentType] of inputs) {
      const response = await upload(body, contentType);
      expect(response.status === 415 || response.status === 422).toBe(true);
      const envelope = response.body as { error: Record<string, unknown> };
      expect(Object.keys(envelope)).toEqual(['error']);
      expect(Object.keys(envelope.error).sort()).toEqual(['code', 'message', 'requestId']);
      expect(FIXED_MESSAGES.has(String(envelope.error['message']))).toBe(true);
      expect(response.text).not.toMatch(/vips|libpng|jpeg:|premature|sharp|Input buffer|stack|\.cc|\.c:/i);
    }
    // The detail is not lost: it is in the service's own log, next to the request id.
    const refused = harness.logLines().filter((line) => line['msg'] === 'image refused');
    expect(refused.some((line) => typeof line['detail'] === 'string' && line['detail'] !== '')).toBe(true);
  });

  it('sends no credential-shaped header and no upstream detail', async () => {
    const response = await upload(png, 'image/png').expect(200);
    expect(response.headers['x-powered-by']).toBeUndefined();
    expect(response.headers['server']).toBeUndefined();
    expect(response.headers['set-cookie']).toBeUndefined();
  });
});
