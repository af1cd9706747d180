import { DomainError } from '@lattice/domain';

/** Configuration objects carry a version; their ETag is that version, and updates must send it back. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * Returns the version an `If-Match` header names. Updates without it are refused (428) so that two
 * editors cannot silently overwrite each other.
 */
export function versionFromIfMatch(header: string | undefined): number {
  if (!header) {
    throw new DomainError('PRECONDITION_REQUIRED', 'If-Match header is required: send the ETag of the version you edited');
  }
  const match = /^(?:W\/)?"(\d{1,10})"$/.exec(header.trim());
  if (!match) {
    throw DomainError.validation([{ field: 'If-Match', message: 'expected an ETag like "3" as returned by GET' }]);
  }
  return Number(match[1]);
}
