import { describe, expect, it } from '@jest/globals';
import { inflateSync } from 'node:zlib';
import { makeDemoPng } from '../src/demo-image.js';

describe('makeDemoPng', () => {
  it('makes a PNG whose header and pixel data agree', () => {
    const png = makeDemoPng(10, 4);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(10);
    expect(png.readUInt32BE(20)).toBe(4);
    const idat = png.indexOf('IDAT');
    const length = png.readUInt32BE(idat - 4);
    expect(inflateSync(png.subarray(idat + 4, idat + 4 + length)).length).toBe(4 * (1 + 10 * 3));
  });

  it('carries a text chunk for the image processor to strip', () => {
    expect(makeDemoPng().includes('taken at')).toBe(true);
  });
});
