// Typed reads of supertest response bodies (typed `any` by supertest), so tests stay lint-clean.

export interface HasBody {
  readonly body: unknown;
}

/** The `error.code` of the error envelope, or undefined when the body is not one. */
export function errorCode(response: HasBody): unknown {
  const { body } = response;
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const { error } = body;
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

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
