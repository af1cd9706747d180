import { Global, Module } from '@nestjs/common';
import { RollupStateStore } from './rollup-state.store';
import { TelemetryIngest } from './telemetry.types';
import { StoredTelemetryIngest } from './telemetry-ingest.service';
import { TelemetryMaintenanceQueue } from './telemetry-maintenance.queue';
import { TelemetryMaintenanceService } from './telemetry-maintenance.service';
import { TelemetryQueryService } from './telemetry-query.service';
import { TelemetryScopeRepository } from './telemetry-scope.repository';
import { TelemetryVersionStore } from './telemetry-version.store';
import { TelemetryRepository } from './telemetry.repository';

/** Telemetry storage: ingest from agents, rollups and retention (BullMQ), and queries for GraphQL. */
@Global()
@Module({
  providers: [
    TelemetryRepository,
    TelemetryScopeRepository,
    RollupStateStore,
    TelemetryVersionStore,
    { provide: TelemetryIngest, useClass: StoredTelemetryIngest },
    TelemetryMaintenanceService,
    TelemetryMaintenanceQueue,
    TelemetryQueryService,
  ],
  exports: [TelemetryIngest, TelemetryQueryService, TelemetryMaintenanceService],
})
export class TelemetryModule {}
