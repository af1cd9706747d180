import { Module } from '@nestjs/common';
import { GlobalNamespacesController } from './global-namespaces.controller';
import { GlobalNamespacesRepository } from './global-namespaces.repository';
import { GlobalNamespacesService } from './global-namespaces.service';

@Module({
  controllers: [GlobalNamespacesController],
  providers: [GlobalNamespacesRepository, GlobalNamespacesService],
  exports: [GlobalNamespacesService, GlobalNamespacesRepository],
})
export class GlobalNamespacesModule {}
