import { Module } from '@nestjs/common';
import { ConfigDistributionModule } from '../config-distribution/config-distribution.module';
import { ClustersController } from './clusters.controller';
import { ClustersRepository } from './clusters.repository';
import { ClustersService } from './clusters.service';

@Module({ imports: [ConfigDistributionModule], controllers: [ClustersController], providers: [ClustersRepository, ClustersService], exports: [ClustersRepository, ClustersService] })
export class ClustersModule {}
