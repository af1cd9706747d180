import { Global, Module } from '@nestjs/common';
import { DatabaseHealthRepository } from './database-health.repository';
import { PgPool } from './pg-pool.service';
import { PrismaService } from './prisma.service';
import { TransactionRunner } from './transaction.service';

@Global()
@Module({
  providers: [PrismaService, PgPool, TransactionRunner, DatabaseHealthRepository],
  exports: [PrismaService, PgPool, TransactionRunner, DatabaseHealthRepository],
})
export class PrismaModule {}
