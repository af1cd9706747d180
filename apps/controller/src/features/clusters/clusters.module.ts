import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ClustersController } from './clusters.controller';
import { ClustersRepository } from './clusters.repository';
import { ClustersService } from './clusters.service';

@Module({ imports: [AuditModule], controllers: [ClustersController], providers: [ClustersRepository, ClustersService], exports: [ClustersRepository, ClustersService] })
export class ClustersModule {}
