// A typed read of the thumbnail success body (supertest types bodies as `any`), so tests stay lint-clean.
import type { HasBody } from '@airlock/testing/http';

export interface ThumbnailBody {
  readonly thumbnail: {
    readonly contentType: string;
    readonly width: number;
    readonly height: number;
    readonly bytes: number;
    readonly dataBase64: string;
  };
  readonly source: {
    readonly format: string;
    readonly width: number;
    readonly height: number;
    readonly bytes: number;
  };
}

/** The success body, checked for shape, so a test fails on a malformed answer rather than reading undefined. */
export function thumbnailBody(response: HasBody): ThumbnailBody {
  const { body } = response;
  const ok =
    typeof body === 'object' &&
    body !== null &&
    'thumbnail' in body &&
    'source' in body &&
    typeof body.thumbnail === 'object' &&
    typeof body.source === 'object';
  if (!ok) throw new Error(`not a thumbnail response: ${JSON.stringify(body)}`);
  return body as ThumbnailBody;
}
