import { Injectable } from '@nestjs/common';
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from './db.util';
import { PrismaService } from './prisma.service';

/**
 * An open database transaction as services see it: a handle with nothing on it. Services pass it
 * from `TransactionRunner.run` to the repositories of one change (possibly of several features),
 * so that the change commits or rolls back as a whole; only repositories (through `dbOf`) reach
 * the client behind it.
 */
export interface Transaction {
  readonly kind: 'database-transaction';
}

const clients = new WeakMap<Transaction, Prisma.TransactionClient>();

/** Limits of a long transaction (e.g. a batch job's), in place of the client's defaults. */
export interface TransactionLimits {
  /** How long the transaction may run before it is rolled back. */
  timeoutMs: number;
  /** How long to wait for a connection to start it. */
  maxWaitMs: number;
}

/** Runs work in one transaction; a thrown error rolls everything back and is rethrown unchanged. */
@Injectable()
export class TransactionRunner {
  constructor(private readonly prisma: PrismaService) {}

  run<T>(work: (tx: Transaction) => Promise<T>, limits?: TransactionLimits): Promise<T> {
    return this.prisma.$transaction(
      (client) => {
        const tx: Transaction = Object.freeze({ kind: 'database-transaction' });
        clients.set(tx, client);
        return work(tx);
      },
      limits && { timeout: limits.timeoutMs, maxWait: limits.maxWaitMs },
    );
  }
}

/** For repositories: the client to query with, inside `tx` when one is given. */
export function dbOf(prisma: PrismaService, tx: Transaction | undefined): Db {
  return tx ? transactionClient(tx) : prisma;
}

/** For repositories whose statement must run inside the caller's transaction (row locks). */
export function transactionClient(tx: Transaction): Prisma.TransactionClient {
  const client = clients.get(tx);
  if (!client) throw new Error('not a transaction opened by TransactionRunner');
  return client;
}
