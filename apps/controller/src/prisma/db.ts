import type { Prisma } from '../generated/prisma/client';
import type { PrismaService } from './prisma.service';

/** A repository method runs on the client or inside a caller's transaction. */
export type Db = PrismaService | Prisma.TransactionClient;
