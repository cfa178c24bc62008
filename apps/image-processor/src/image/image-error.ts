// Why an image was refused, as a stable code. Decoder messages never become part of it: libvips text names
// libraries, versions and internals, and the route answers with these codes only.

export type ImageErrorCode = 'image_invalid' | 'image_too_large' | 'too_many_frames' | 'processing_timeout';

export class ImageError extends Error {
  override readonly name = 'ImageError';
  readonly code: ImageErrorCode;

  /** `detail` is for the service's own log; it is never sent to a client. */
  constructor(code: ImageErrorCode, detail: string) {
    super(detail);
    this.code = code;
  }
}
