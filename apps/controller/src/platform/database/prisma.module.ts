import { Global, Module } from '@nestjs/common';
import { DatabaseHealthRepository } from './database-health.repository';
import { PrismaService } from './prisma.service';
import { TransactionService } from './transaction.service';

@Global()
@Module({
  providers: [PrismaService, TransactionService, DatabaseHealthRepository],
  exports: [PrismaService, TransactionService, DatabaseHealthRepository],
})
export class PrismaModule {}
