import { Global, Module } from '@nestjs/common';
import { RollupStateStore } from './rollup-state.store';
import { TelemetryIngest } from './telemetry-ingest';
import { TelemetryJobs } from './telemetry.jobs';
import { StoredTelemetryIngest } from './telemetry-ingest.service';
import { TelemetryMaintenanceService } from './telemetry-maintenance.service';
import { TelemetryQueryService } from './telemetry-query.service';
import { TelemetryScopeRepository } from './telemetry-scope.repository';
import { TelemetryVersionStore } from './telemetry-version.store';
import { TelemetryRepository } from './telemetry.repository';
import { TelemetryResolver } from './telemetry.resolver';

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
    TelemetryJobs,
    TelemetryQueryService,
    TelemetryResolver,
  ],
  exports: [TelemetryIngest, TelemetryQueryService, TelemetryMaintenanceService],
})
export class TelemetryModule {}
