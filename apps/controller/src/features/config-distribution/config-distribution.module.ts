import { Module } from '@nestjs/common';
import { DesiredStateMetrics } from './desired-state.metrics';
import { DesiredStateJobs } from './config-distribution.jobs';
import { DesiredStateScheduler, QueuedDesiredStateScheduler } from './desired-state-scheduler.service';
import { DesiredStateService } from './desired-state.service';
import { RecentSnapshotsCache } from './recent-snapshots.cache';
import { SnapshotStoreRepository } from './snapshot-store.repository';
import { RecomputeMarksStore } from './recompute-marks.store';
import { MeshMembershipService } from './mesh-membership.service';
import { TenantMeshRepository } from './tenant-mesh.repository';
import { VirtualAddressesRepository } from './virtual-addresses.repository';
import { VirtualAddressService } from './virtual-addresses.service';

/**
 * Computes and stores per-cluster desired states and announces new versions. Doors: the
 * DesiredStateScheduler (any change that alters desired state asks for a recomputation),
 * DesiredStateService (recent snapshots, policies as distributed) and MeshMembershipService.
 */
@Module({
  providers: [
    { provide: DesiredStateScheduler, useClass: QueuedDesiredStateScheduler },
    DesiredStateService,
    DesiredStateJobs,
    DesiredStateMetrics,
    RecentSnapshotsCache,
    SnapshotStoreRepository,
    RecomputeMarksStore,
    TenantMeshRepository,
    MeshMembershipService,
    VirtualAddressesRepository,
    VirtualAddressService,
  ],
  exports: [DesiredStateScheduler, DesiredStateService, MeshMembershipService],
})
export class ConfigDistributionModule {}
