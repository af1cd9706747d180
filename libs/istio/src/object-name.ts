import { createHash } from 'node:crypto';

export const MAX_OBJECT_NAME_LENGTH = 63;
const HASH_LENGTH = 8;

/**
 * A DNS-1123 label (lowercase alphanumerics and '-', at most 63 characters) made from `readable`.
 * When the readable form is too long, or when it alone could be ambiguous and `uniqueBy` is given,
 * a short sha256 of the full identity is appended, so names are deterministic and distinct.
 */
export function objectName(readable: string, uniqueBy?: string): string {
  const sanitized = readable
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (
    uniqueBy === undefined &&
    sanitized.length > 0 &&
    sanitized.length <= MAX_OBJECT_NAME_LENGTH &&
    sanitized === readable
  ) {
    return sanitized;
  }
  const suffix = createHash('sha256')
    .update(uniqueBy ?? readable)
    .digest('hex')
    .slice(0, HASH_LENGTH);
  const head = sanitized.slice(0, MAX_OBJECT_NAME_LENGTH - HASH_LENGTH - 1).replace(/-+$/, '');
  return head.length > 0 ? `${head}-${suffix}` : suffix;
}
