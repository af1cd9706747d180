import { NotFoundException } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** What every replica answers whatever its roles: the probes of its orchestrator. */
const ALWAYS_SERVED = new Set(['/healthz', '/readyz']);

/**
 * On a replica without the `api` role (LATTICE_ROLES) the HTTP port serves the health routes only;
 * anything else is a 404 that says why, so a Service pointed at the wrong pods is easy to spot.
 */
export function apiRoleOff(roles: readonly string[]): RequestHandler {
  const message = `this replica does not serve the API (LATTICE_ROLES=${roles.join(',')})`;
  return (request: Request, _response: Response, next: NextFunction): void => {
    if (ALWAYS_SERVED.has(request.path)) return next();
    next(new NotFoundException(message));
  };
}
