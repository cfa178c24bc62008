// Magic bytes decide the format; Content-Type only names which format the client claims.
import { describe, expect, it } from '@jest/globals';

import { detectFormat, formatOfContentType } from '../../src/image/detect-format.js';

const bytes = (...values: (number | string)[]): Uint8Array =>
  Buffer.concat(
    values.map((value) => (typeof value === 'string' ? Buffer.from(value, 'latin1') : Buffer.from([value]))),
  );

describe('detectFormat', () => {
  it.each([
    ['JPEG (FF D8 FF)', bytes(0xff, 0xd8, 0xff, 0xe0), 'jpeg'],
    ['PNG (89 50 4E 47 0D 0A 1A 0A)', bytes(0x89, 'PNG\r\n\x1a\n', 0, 0, 0, 13), 'png'],
    ['lossy WebP', bytes('RIFF', 0, 0, 0, 0, 'WEBPVP8 '), 'webp'],
    ['lossless WebP', bytes('RIFF', 0, 0, 0, 0, 'WEBPVP8L'), 'webp'],
    ['extended WebP', bytes('RIFF', 0, 0, 0, 0, 'WEBPVP8X'), 'webp'],
  ])('recognises %s', (_name, input, format) => {
    expect(detectFormat(input)).toBe(format);
  });

  it.each([
    ['nothing', bytes()],
    ['a JPEG prefix cut short', bytes(0xff, 0xd8)],
    ['a PNG signature with a wrong byte', bytes(0x89, 'PNG\r\n\x1a\r')],
    ['GIF87a', bytes('GIF87a')],
    ['GIF89a', bytes('GIF89a')],
    ['SVG', bytes('<svg xmlns="http://www.w3.org/2000/svg">')],
    ['SVG with an XML declaration', bytes('<?xml version="1.0"?><svg>')],
    ['TIFF', bytes('II*\0')],
    ['a RIFF WAV file', bytes('RIFF', 0, 0, 0, 0, 'WAVEfmt ')],
    ['WEBP with an unknown first chunk', bytes('RIFF', 0, 0, 0, 0, 'WEBPEXIF')],
    ['HEIF/AVIF', bytes(0, 0, 0, 0x1c, 'ftypavif')],
    ['BMP', bytes('BM')],
    ['a PNG signature not at the start', bytes(0, 0x89, 'PNG\r\n\x1a\n')],
  ])('refuses %s', (_name, input) => {
    expect(detectFormat(input)).toBeUndefined();
  });
});

describe('formatOfContentType', () => {
  it.each([
    ['image/jpeg', 'jpeg'],
    ['image/png', 'png'],
    ['image/webp', 'webp'],
    ['Image/PNG', 'png'],
    [' image/png ; name=x.svg', 'png'],
  ])('maps %j to %s', (contentType, format) => {
    expect(formatOfContentType(contentType)).toBe(format);
  });

  it.each([
    undefined,
    '',
    'image/jpg',
    'image/pjpeg',
    'image/svg+xml',
    'image/gif',
    'image/png+xml',
    'image/*',
    'png',
  ])('accepts nothing for %j', (contentType) => {
    expect(formatOfContentType(contentType)).toBeUndefined();
  });
});
