import { Prisma } from '../generated/prisma/client';
import type { PrismaService } from './prisma.service';

/** A repository method runs on the client or inside a caller's transaction. */
export type Db = PrismaService | Prisma.TransactionClient;

/** A write that a unique index refused (P2002): another writer got there first. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
