import { Injectable } from '@nestjs/common';
import type { Db } from './db.util';
import { PrismaService } from './prisma.service';

/**
 * Runs a unit of work in one database transaction, for services that combine several
 * repositories' writes (a change and its audit record). The handle is opaque to the service: it
 * only passes it on to repository methods, which stay the only code that touches Prisma.
 */
@Injectable()
export class TransactionService {
  constructor(private readonly prisma: PrismaService) {}

  run<T>(work: (db: Db) => Promise<T>): Promise<T> {
    return this.prisma.$transaction((tx) => work(tx));
  }
}
