import { Global, Module } from '@nestjs/common';
import { PrismaService } from './prisma.service';
import { TransactionRunner } from './transaction.service';

@Global()
@Module({ providers: [PrismaService, TransactionRunner], exports: [PrismaService, TransactionRunner] })
export class PrismaModule {}
