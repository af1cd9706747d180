import { Module } from '@nestjs/common';
import { AutoscalingModule } from '../autoscaling/autoscaling.module';
import { ClustersModule } from '../clusters/clusters.module';
import { ConfigDistributionModule } from '../config-distribution/config-distribution.module';
import { GlobalNamespacesModule } from '../global-namespaces/global-namespaces.module';
import { GnsCaModule } from '../gns-ca/gns-ca.module';
import { PoliciesModule } from '../policies/policies.module';
import { SlosModule } from '../slos/slos.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { DeclarativeController, SchemasController } from './declarative.controller';
import { DeclarativeRepository } from './declarative.repository';
import { DeclarativeService } from './declarative.service';

/** Declarative resources by name, server-side apply, prune and the published JSON Schemas (docs/gitops.md). */
@Module({
  imports: [
    AutoscalingModule,
    ClustersModule,
    ConfigDistributionModule,
    GlobalNamespacesModule,
    GnsCaModule,
    PoliciesModule,
    SlosModule,
    WebhooksModule,
  ],
  controllers: [DeclarativeController, SchemasController],
  providers: [DeclarativeRepository, DeclarativeService],
})
export class DeclarativeModule {}
