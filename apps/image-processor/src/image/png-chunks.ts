// Walks the chunks of a PNG without decoding anything: type and data of each, in order, every read bounds-checked.
// Each step advances by at least 12 bytes, so a walk is linear in the input.

const SIGNATURE_LENGTH = 8;
// length (4) + type (4) before the data, CRC (4) after it.
const CHUNK_OVERHEAD = 12;

export interface PngChunk {
  readonly type: string;
  readonly data: Uint8Array;
}

/** The chunks after the signature; stops at the first chunk that runs past the end (the decoder reports it). */
export function* pngChunks(bytes: Uint8Array): Generator<PngChunk> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = SIGNATURE_LENGTH;
  while (offset + CHUNK_OVERHEAD <= bytes.length) {
    const length = view.getUint32(offset);
    if (length > bytes.length - offset - CHUNK_OVERHEAD) return;
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    yield { type, data: bytes.subarray(offset + 8, offset + 8 + length) };
    offset += CHUNK_OVERHEAD + length;
  }
}
