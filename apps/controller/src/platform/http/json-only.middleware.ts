import { UnsupportedMediaTypeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * The API speaks JSON only. A body of another type (a form, XML, text) is refused with 415 instead
 * of being parsed by some other parser or silently ignored.
 */
export function refuseNonJsonBodies(request: Request, _response: Response, next: NextFunction): void {
  const hasBody =
    request.headers['transfer-encoding'] !== undefined ||
    (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');
  if (hasBody && !request.is(['application/json', '+json'])) {
    const sent = request.headers['content-type'] ?? 'none';
    next(
      new UnsupportedMediaTypeException(`Content-Type must be application/json (got ${sent.slice(0, 100)})`),
    );
    return;
  }
  next();
}
