import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ConfigDistributionModule } from '../config-distribution/config-distribution.module';
import { GnsCaModule } from '../gns-ca/gns-ca.module';
import { GlobalNamespacesController } from './global-namespaces.controller';
import { GlobalNamespacesRepository } from './global-namespaces.repository';
import { GlobalNamespacesService } from './global-namespaces.service';

@Module({
  imports: [AuditModule, ConfigDistributionModule, GnsCaModule],
  controllers: [GlobalNamespacesController],
  providers: [GlobalNamespacesRepository, GlobalNamespacesService],
  // The repository only until the GraphQL inventory resolver reads through GlobalNamespacesService
  // (GraphQL helper's part of issue 14); then services only.
  exports: [GlobalNamespacesService, GlobalNamespacesRepository],
})
export class GlobalNamespacesModule {}
