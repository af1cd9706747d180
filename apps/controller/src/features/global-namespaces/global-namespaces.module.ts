import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ConfigDistributionModule } from '../config-distribution/config-distribution.module';
import { GnsCaModule } from '../gns-ca/gns-ca.module';
import { GlobalNamespacesController } from './global-namespaces.controller';
import { GlobalNamespacesRepository } from './global-namespaces.repository';
import { GlobalNamespacesResolver } from './global-namespaces.resolver';
import { GlobalNamespacesService } from './global-namespaces.service';

@Module({
  imports: [AuditModule, ConfigDistributionModule, GnsCaModule],
  controllers: [GlobalNamespacesController],
  providers: [GlobalNamespacesRepository, GlobalNamespacesService, GlobalNamespacesResolver],
  exports: [GlobalNamespacesService],
})
export class GlobalNamespacesModule {}
