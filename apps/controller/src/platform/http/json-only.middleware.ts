import { BadRequestException, UnsupportedMediaTypeException } from '@nestjs/common';
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

/** Keys that reach an object's prototype when a body is merged or assigned somewhere. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const childPath = (path: string, key: string) =>
  /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

/**
 * The first `__proto__`, `constructor` or `prototype` key in a parsed JSON value and its path, or
 * null. Iterative (a body nests as deep as its 1 MB allows) and visits each value once.
 */
export function forbiddenKey(value: unknown): { key: string; path: string } | null {
  const pending: { value: unknown; path: string }[] = [{ value, path: 'body' }];
  while (pending.length > 0) {
    const { value: current, path } = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--)
        pending.push({ value: current[index], path: `${path}[${index}]` });
      continue;
    }
    // JSON.parse makes "__proto__" an own property, so Object.keys sees it.
    const keys = Object.keys(current);
    const found = keys.find((key) => FORBIDDEN_KEYS.has(key));
    if (found !== undefined) return { key: found, path: childPath(path, found) };
    for (let index = keys.length - 1; index >= 0; index--)
      pending.push({
        value: (current as Record<string, unknown>)[keys[index]!],
        path: childPath(path, keys[index]!),
      });
  }
  return null;
}

/**
 * Refuses a JSON body holding a `__proto__`, `constructor` or `prototype` key (400 naming where)
 * instead of dropping it silently on the way to a DTO: such a key is a prototype-pollution probe,
 * never data. Runs after the JSON body parser.
 */
export function refusePrototypeKeys(request: Request, _response: Response, next: NextFunction): void {
  const found = forbiddenKey(request.body);
  if (found) {
    next(new BadRequestException(`${found.path}: the key "${found.key}" is not allowed in a request body`));
    return;
  }
  next();
}
