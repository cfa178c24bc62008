// Issue 11, finding 5: uploads that trickle in one byte at a time must not hold the slots every other user needs.
// A slot is taken only once the whole body has arrived, and one user may have only a few uploads in flight.
import { request as httpRequest } from 'node:http';
import type { ClientRequest, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { photo } from '@airlock/testing/images';

import { MAX_CONCURRENT_REQUESTS, MAX_UPLOADS_PER_USER } from '../src/image/limits.js';
import { createHarness } from './support/harness.js';
import type { Harness } from './support/harness.js';

let harness: Harness;
let server: Server;
let png: Buffer;
const trickles: ClientRequest[] = [];

beforeAll(async () => {
  png = await photo('png', { width: 64, height: 48 });
});

afterEach(async () => {
  for (const trickle of trickles.splice(0)) trickle.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
});

async function start(): Promise<string> {
  harness = await createHarness();
  server = harness.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/images`;
}

/** An upload that declares a whole photo and sends its first byte only; resolves with the status if one comes. */
function trickle(url: string, token: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = httpRequest(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'image/png',
        'content-length': String(png.length),
      },
    });
    trickles.push(req);
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => {
      resolve(undefined);
    });
    req.write(png.subarray(0, 1));
    // Long enough for the server to have taken whatever it takes for a started upload.
    setTimeout(() => {
      resolve(undefined);
    }, 300);
  });
}

async function uploadWhole(url: string, token: string): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' },
    body: png,
  });
  await response.body?.cancel();
  return response.status;
}

describe('slow uploads', () => {
  it('do not keep another user from uploading while as many trickle in as there are request slots', async () => {
    const url = await start();
    for (let user = 0; user < MAX_CONCURRENT_REQUESTS; user += 1) {
      await trickle(url, await harness.token({ sub: `mallory-${String(user)}` }));
    }
    expect(await uploadWhole(url, await harness.token({ sub: 'alice' }))).toBe(200);
  });

  it(`let one user have at most ${String(MAX_UPLOADS_PER_USER)} uploads in flight (429), others unaffected`, async () => {
    const url = await start();
    const mallory = await harness.token({ sub: 'mallory' });
    const answers: (number | undefined)[] = [];
    for (let index = 0; index < MAX_CONCURRENT_REQUESTS; index += 1)
      answers.push(await trickle(url, mallory));
    expect(answers.slice(0, MAX_UPLOADS_PER_USER)).toEqual(
      Array.from({ length: MAX_UPLOADS_PER_USER }, () => undefined),
    );
    expect(answers.slice(MAX_UPLOADS_PER_USER)).toEqual(
      Array.from({ length: MAX_CONCURRENT_REQUESTS - MAX_UPLOADS_PER_USER }, () => 429),
    );
    expect(await uploadWhole(url, await harness.token({ sub: 'alice' }))).toBe(200);
  });
});
