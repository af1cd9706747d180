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

/** Runs work in one transaction; a thrown error rolls everything back and is rethrown unchanged. */
@Injectable()
export class TransactionRunner {
  constructor(private readonly prisma: PrismaService) {}

  run<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.prisma.$transaction((client) => {
      const tx: Transaction = Object.freeze({ kind: 'database-transaction' });
      clients.set(tx, client);
      return work(tx);
    });
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

/** For code that still takes a `Db` (e.g. the audit trail): a transaction handle or a client. */
export function asDb(handle: Db | Transaction | undefined): Db | undefined {
  if (handle === undefined) return undefined;
  return isTransaction(handle) ? transactionClient(handle) : handle;
}

function isTransaction(handle: Db | Transaction): handle is Transaction {
  return 'kind' in handle && handle.kind === 'database-transaction';
}
