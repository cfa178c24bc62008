// POST /images: a raw JPEG, PNG or WebP body in; a re-encoded, metadata-free WebP thumbnail and the source's
// dimensions out, as JSON. Checks run cheapest first: token, declared type, the user's share and read capacity,
// body size, processing capacity (once the whole body is in), magic bytes, header limits, then decoding under a
// time limit. Every request leaves exactly one audit line.
import express from 'express';
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response, Router } from 'express';
import {
  AppError,
  auditDecision,
  badRequest,
  createRouter,
  errorCodes,
  methodNotAllowedHandler,
  payloadTooLarge,
  serviceUnavailable,
} from '@airlock/service-kit';
import type { Logger } from '@airlock/service-kit';
import type { RouteContract } from '@airlock/service-kit/api-contract';
import { routeTokenGuard } from '@airlock/service-kit/protected-routes';
import type { RouteDeclaration } from '@airlock/service-kit/protected-routes';
import type { TokenVerifier } from '@airlock/token-verification';
import { z } from 'zod';

import { detectFormat, formatOfContentType, IMAGE_FORMATS, mediaTypeOf } from '../image/detect-format.js';
import { ImageError } from '../image/image-error.js';
import type { ImageErrorCode } from '../image/image-error.js';
import {
  BUSY_RETRY_AFTER_SECONDS,
  MAX_BODY_BYTES,
  MAX_CONCURRENT_READS,
  MAX_UPLOADS_PER_USER,
} from '../image/limits.js';
import { makeThumbnail } from '../image/make-thumbnail.js';
import { service } from '../service.js';
import { PerKeySlots, Slots } from '../slots.js';

const METHOD = 'POST' as const;
const PATH = '/images';
const ROUTE = `${METHOD} ${PATH}`;
/** The scope a user's token must carry to have images processed. */
export const IMAGES_SCOPE = 'images';
/** The one route the sandbox serves, as the token layer declares it. */
export const imagesCreateRoute: RouteDeclaration = { method: METHOD, path: PATH, scopes: [IMAGES_SCOPE] };

/** What the route answers with on success. Strict: a field the schema does not name fails the response checks. */
export const createImageResponse = z
  .strictObject({
    thumbnail: z.strictObject({
      contentType: z.literal('image/webp'),
      width: z.number().int().min(1),
      height: z.number().int().min(1),
      bytes: z.number().int().min(1),
      dataBase64: z.base64(),
    }),
    source: z.strictObject({
      format: z.enum(IMAGE_FORMATS),
      width: z.number().int().min(1),
      height: z.number().int().min(1),
      bytes: z.number().int().min(1),
    }),
  })
  .meta({ id: 'Thumbnail' });
export type CreateImageResponse = z.output<typeof createImageResponse>;

export const createImageContract: RouteContract = {
  method: METHOD,
  path: PATH,
  summary: 'Re-encodes a JPEG, PNG or WebP image into a metadata-free WebP thumbnail.',
  body: { contentTypes: IMAGE_FORMATS.map(mediaTypeOf), required: true },
  responses: {
    200: { description: 'The thumbnail and the source’s dimensions.', schema: createImageResponse },
  },
  errors: {
    400: 'The body is empty or could not be read.',
    401: 'The token is missing, invalid or expired.',
    403: 'The token lacks the scope `images`, or the caller is not allowed.',
    413: 'The body is larger than the upload limit.',
    415: 'The body is not a JPEG, PNG or WebP image of its declared type, or is compressed.',
    422: 'The image is corrupt, too large in pixels, has too many frames or took too long.',
    429: 'The user has too many uploads in progress.',
    503: 'The sandbox is busy; retry after Retry-After.',
  },
};

export interface Capacity {
  /** Requests in flight from the moment their whole body has arrived to the response. */
  readonly requests: Slots;
  /** Images being decoded. */
  readonly jobs: Slots;
  /** Bodies being read; default MAX_CONCURRENT_READS. */
  readonly reads?: Slots;
  /** Uploads per user (`sub`), from the first body byte to the response; default MAX_UPLOADS_PER_USER. */
  readonly perUser?: PerKeySlots;
}

export interface ImagesCreateDeps {
  readonly logger: Logger;
  readonly verifier: TokenVerifier;
  readonly capacity: Capacity;
}

// Fixed texts: a client learns which rule refused its upload, never what the decoder said about it.
const IMAGE_ERROR_MESSAGES: Readonly<Record<ImageErrorCode, string>> = {
  image_invalid: 'The image is corrupt, truncated or not what its header says.',
  image_too_large: 'The image exceeds the pixel or memory limits.',
  too_many_frames: 'The image has too many frames.',
  processing_timeout: 'The image took too long to process.',
};

const tooManyUploads = (): AppError =>
  new AppError({
    status: 429,
    code: errorCodes.tooManyRequests,
    expose: 'You have too many uploads in progress. Wait for one to finish.',
    headers: { 'Retry-After': String(BUSY_RETRY_AFTER_SECONDS) },
  });

const unsupportedImageType = (): AppError =>
  new AppError({
    status: 415,
    code: errorCodes.unsupportedMediaType,
    expose:
      'The body must be a JPEG, PNG or WebP image, sent uncompressed with the Content-Type of that format (image/jpeg, image/png or image/webp).',
  });

export function imagesCreateRouter(deps: ImagesCreateDeps): Router {
  const { logger, verifier, capacity } = deps;
  const reads = capacity.reads ?? new Slots(MAX_CONCURRENT_READS);
  const perUser = capacity.perUser ?? new PerKeySlots(MAX_UPLOADS_PER_USER);
  // The callers the topology allows, the scope, and one deny audit line per token refusal; the request's one
  // audit line is otherwise written below, once the image is done or refused.
  const guard = routeTokenGuard(imagesCreateRoute, { service: service.name, verifier, logger });

  // Behind the guard, so the token is accepted and names the caller in `act`.
  const audit = (req: Request, decision: 'allow' | 'deny', reason: string): void => {
    const auth = req.auth;
    auditDecision(logger, {
      route: ROUTE,
      decision,
      reason,
      ...(auth === undefined ? {} : { subject: auth.sub }),
      ...(auth?.client_id === undefined ? {} : { client: auth.client_id }),
      ...(auth?.act === undefined ? {} : { caller: auth.act.sub }),
      ...(req.id === undefined ? {} : { requestId: req.id }),
    });
  };

  // Before any body byte is read: a body that cannot be accepted is not worth buffering.
  const checkDeclaredType: RequestHandler = (req, _res, next) => {
    const encoding = req.get('content-encoding');
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
      // A compressed body would be a second decompression bomb in front of the image decoder.
      next(unsupportedImageType());
      return;
    }
    next(formatOfContentType(req.get('content-type')) === undefined ? unsupportedImageType() : undefined);
  };

  // Each hold lasts until the response is done or the client goes away first ('close' fires for both).
  const hold =
    (acquire: (req: Request) => (() => void) | undefined, refusal: () => AppError): RequestHandler =>
    (req, res, next) => {
      const release = acquire(req);
      if (release === undefined) {
        next(refusal());
        return;
      }
      res.once('close', release);
      next();
    };
  const busy = (): AppError => serviceUnavailable(BUSY_RETRY_AFTER_SECONDS);
  // One user's share first: a user who holds theirs is told so (429), and takes nothing from anyone else.
  const holdUserSlot = hold((req) => perUser.tryAcquire(req.auth?.sub ?? ''), tooManyUploads);
  const holdReadSlot = hold(() => reads.tryAcquire(), busy);
  // Taken once the whole body is in, so a slow sender never holds one (issue 11, finding 5).
  const holdRequestSlot = hold(() => capacity.requests.tryAcquire(), busy);

  // Any Content-Type reaches the parser (checkDeclaredType has judged it); compressed bodies were refused there.
  const readBody = express.raw({ type: () => true, limit: MAX_BODY_BYTES, inflate: false });

  const createThumbnail = async (req: Request, res: Response): Promise<void> => {
    const body: unknown = req.body;
    if (!Buffer.isBuffer(body) || body.length === 0) {
      throw badRequest('body_required', 'The request body must contain an image.');
    }
    const declared = formatOfContentType(req.get('content-type'));
    if (declared === undefined || detectFormat(body) !== declared) {
      // Names and declared types are claims; the bytes decide. An SVG sent as image/png stops here.
      throw unsupportedImageType();
    }
    const release = capacity.jobs.tryAcquire();
    if (release === undefined) throw serviceUnavailable(BUSY_RETRY_AFTER_SECONDS);
    const { source, thumbnail } = await makeThumbnail(body, declared).finally(release);
    audit(req, 'allow', 'thumbnail_created');
    const response: CreateImageResponse = {
      thumbnail: {
        contentType: thumbnail.contentType,
        width: thumbnail.width,
        height: thumbnail.height,
        bytes: thumbnail.data.length,
        dataBase64: thumbnail.data.toString('base64'),
      },
      source: { format: source.format, width: source.width, height: source.height, bytes: source.bytes },
    };
    res.status(200).set('Cache-Control', 'no-store').json(response);
  };

  // Every refusal after the token check: mapped to a stable code, audited once, then answered by the service's
  // error handler. Anything unexpected stays an error (a 500 with a generic body, the detail in the log).
  const refuse: ErrorRequestHandler = (error: unknown, req: Request, _res: Response, next: NextFunction) => {
    const mapped =
      error instanceof ImageError ? imageRefusal(error, logger, req) : (bodyReadError(error) ?? error);
    audit(req, 'deny', mapped instanceof AppError ? mapped.code : errorCodes.internalError);
    next(mapped);
  };

  const router = createRouter();
  router.post(
    PATH,
    guard,
    checkDeclaredType,
    holdUserSlot,
    holdReadSlot,
    readBody,
    holdRequestSlot,
    createThumbnail,
    refuse,
  );
  router.all(PATH, methodNotAllowedHandler([METHOD]));
  return router;
}

function imageRefusal(error: ImageError, logger: Logger, req: Request): AppError {
  // The decoder's own words stay here, next to the request id, for whoever investigates.
  logger.info({ requestId: req.id, code: error.code, detail: error.message }, 'image refused');
  return new AppError({ status: 422, code: error.code, expose: IMAGE_ERROR_MESSAGES[error.code] });
}

// The client mistakes the raw-body parser reports, by its error `type`. Others ('stream.not.readable' and the
// like) would be our bug and stay 500s. The library's message, which may quote the input, is dropped.
const BODY_READ_ERRORS = new Map<string, () => AppError>([
  ['entity.too.large', payloadTooLarge],
  ['request.aborted', () => badRequest(errorCodes.badRequest, 'The request body could not be read.')],
  ['request.size.invalid', () => badRequest(errorCodes.badRequest, 'The request body could not be read.')],
  ['encoding.unsupported', unsupportedImageType],
]);

function bodyReadError(error: unknown): AppError | undefined {
  if (!(error instanceof Error) || !('type' in error) || typeof error.type !== 'string') return undefined;
  return BODY_READ_ERRORS.get(error.type)?.();
}
