import { Module } from '@nestjs/common';
import { BullmqDesiredStateScheduler } from './bullmq-desired-state.scheduler';
import { DesiredStateMetrics } from './desired-state.metrics';
import { DesiredStateScheduler } from './desired-state.scheduler';
import { DesiredStateService } from './desired-state.service';
import { DesiredStateWorker } from './desired-state.worker';
import { RecentSnapshotsCache } from './recent-snapshots.cache';
import { MeshMembershipService } from './mesh-membership.service';
import { SnapshotPublisher } from './snapshot.publisher';
import { TenantMeshRepository } from './tenant-mesh.repository';

/**
 * Computes and stores per-cluster desired states and announces new versions. Doors: the
 * DesiredStateScheduler (any change that alters desired state asks for a recomputation),
 * DesiredStateService (recent snapshots, policies as distributed) and MeshMembershipService.
 */
@Module({
  providers: [
    { provide: DesiredStateScheduler, useClass: BullmqDesiredStateScheduler },
    DesiredStateService,
    DesiredStateWorker,
    DesiredStateMetrics,
    RecentSnapshotsCache,
    SnapshotPublisher,
    TenantMeshRepository,
    MeshMembershipService,
  ],
  exports: [DesiredStateScheduler, DesiredStateService, MeshMembershipService],
})
export class ConfigDistributionModule {}
