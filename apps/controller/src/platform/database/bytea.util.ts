/**
 * Large `bytea` columns (desired-state payloads) are read as base64 text and decoded natively:
 * Prisma's pg adapter turns a bytea into an array of one JS number per byte, which for snapshots
 * of hundreds of kilobytes dominated the controller's CPU and garbage collection. They are written
 * as base64 text too: a JSON payload in a text[] parameter gets every quote escaped on both sides,
 * which made storing a change of 100 clusters' snapshots (6 MB) take 1.2-1.4 s instead of 0.15 s.
 */
import { Prisma } from '../../generated/prisma/client';

/** The SQL expression selecting `column` (a trusted column name, never input) as base64 text. */
export function byteaAsBase64(column: string): string {
  return `encode(${column}, 'base64')`;
}

/** `byteaAsBase64` as a fragment of a `Prisma.sql` query (`column` a constant identifier, never input). */
export function byteaAsBase64Sql(column: string): Prisma.Sql {
  return Prisma.sql`encode(${Prisma.raw(column)}, 'base64')`;
}

/** The bytes of a value selected with `byteaAsBase64` (null stays null). */
export function bytesFromBase64(text: string | null): Buffer | null {
  // PostgreSQL wraps base64 at 76 characters; Node's decoder skips the line breaks.
  return text === null ? null : Buffer.from(text, 'base64');
}

/** The SQL expression turning base64 text (a parameter written with `base64FromBytes`) into bytea. */
export function byteaFromBase64(expression: string): string {
  return `decode(${expression}, 'base64')`;
}

export function base64FromBytes(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
