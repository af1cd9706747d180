/**
 * Large `bytea` columns (desired-state payloads) are read as base64 text and decoded natively:
 * Prisma's pg adapter turns a bytea into an array of one JS number per byte, which for snapshots
 * of hundreds of kilobytes dominated the controller's CPU and garbage collection.
 */

/** The SQL expression selecting `column` (a trusted column name, never input) as base64 text. */
export function byteaAsBase64(column: string): string {
  return `encode(${column}, 'base64')`;
}

/** The bytes of a value selected with `byteaAsBase64` (null stays null). */
export function bytesFromBase64(text: string | null): Buffer | null {
  // PostgreSQL wraps base64 at 76 characters; Node's decoder skips the line breaks.
  return text === null ? null : Buffer.from(text, 'base64');
}
