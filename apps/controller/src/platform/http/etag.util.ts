import { createHash } from 'node:crypto';
import type { Response } from 'express';
import { DomainError } from '@lattice/domain';

/**
 * The ETag of a configuration object's representation: `"<version>-<hash>"`. The hash (SHA-256 of
 * the JSON the response carries, 128 bits, base64url) makes the ETag change whenever the answer
 * changes, also when only live fields (status, evaluation, last seen) did, so `If-None-Match`
 * answers 304 only for an identical body. The version in front is what `If-Match` compares: live
 * fields the server keeps changing do not make an edit stale, only another edit does.
 */
export function etagOf(version: number, representation: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify(representation)).digest().subarray(0, 16);
  return `"${version}-${hash.toString('base64url')}"`;
}

/**
 * Sets the ETag of a versioned object on the response and returns the object (handlers answer with
 * it, and Express answers a GET whose `If-None-Match` names this ETag with 304).
 */
export function withEtag<T extends { version: number }>(response: Response, view: T): T {
  response.setHeader('ETag', etagOf(view.version, view));
  return view;
}

/** An ETag as returned by GET (`"3-<hash>"`) or the bare version (`"3"`, what GraphQL calls `version`). */
const IF_MATCH = /^(?:W\/)?"(\d{1,10})(?:-[A-Za-z0-9_-]{1,64})?"$/;

/**
 * Returns the version an `If-Match` header names. Updates without it are refused (428) so that two
 * editors cannot silently overwrite each other. Only the version part is compared (see etagOf).
 */
export function versionFromIfMatch(header: string | undefined): number {
  if (!header) {
    throw new DomainError(
      'PRECONDITION_REQUIRED',
      'If-Match header is required: send the ETag of the version you edited',
    );
  }
  const match = IF_MATCH.exec(header.trim());
  if (!match) {
    throw DomainError.validation([
      {
        field: 'If-Match',
        message: 'expected an ETag as returned by GET (like "3-Ab9…") or a version like "3"',
      },
    ]);
  }
  return Number(match[1]);
}

/** For creates and deletes, where If-Match is optional: the version when sent, undefined when not. */
export function optionalVersionFromIfMatch(header: string | undefined): number | undefined {
  return header === undefined ? undefined : versionFromIfMatch(header);
}
