import type { Response } from 'express';
import { DomainError } from '@lattice/domain';

/** Configuration objects carry a version; their ETag is that version, and updates must send it back. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/** Sets the ETag of a versioned object on the response and returns the object (handlers answer with it). */
export function withEtag<T extends { version: number }>(response: Response, view: T): T {
  response.setHeader('ETag', etagOf(view.version));
  return view;
}

/**
 * Returns the version an `If-Match` header names. Updates without it are refused (428) so that two
 * editors cannot silently overwrite each other.
 */
export function versionFromIfMatch(header: string | undefined): number {
  if (!header) {
    throw new DomainError(
      'PRECONDITION_REQUIRED',
      'If-Match header is required: send the ETag of the version you edited',
    );
  }
  const match = /^(?:W\/)?"(\d{1,10})"$/.exec(header.trim());
  if (!match) {
    throw DomainError.validation([
      { field: 'If-Match', message: 'expected an ETag like "3" as returned by GET' },
    ]);
  }
  return Number(match[1]);
}

/** For creates and deletes, where If-Match is optional: the version when sent, undefined when not. */
export function optionalVersionFromIfMatch(header: string | undefined): number | undefined {
  return header === undefined ? undefined : versionFromIfMatch(header);
}
