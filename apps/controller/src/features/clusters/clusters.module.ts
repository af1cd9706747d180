import { Module } from '@nestjs/common';
import { ClustersController } from './clusters.controller';
import { ClustersRepository } from './clusters.repository';
import { ClustersResolver } from './clusters.resolver';
import { ClustersService } from './clusters.service';

@Module({ controllers: [ClustersController], providers: [ClustersRepository, ClustersService, ClustersResolver], exports: [ClustersRepository, ClustersService] })
export class ClustersModule {}
