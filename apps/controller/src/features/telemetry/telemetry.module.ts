import { Module } from '@nestjs/common';
import { RollupStateStore } from './rollup-state.store';
import { TelemetryIngestService } from './telemetry-ingest.service';
import { TelemetryJobs } from './telemetry.jobs';
import { TelemetryMaintenanceService } from './telemetry-maintenance.service';
import { TelemetryMetrics } from './telemetry.metrics';
import { TelemetryQueryService } from './telemetry-query.service';
import { TelemetryScopeRepository } from './telemetry-scope.repository';
import { TelemetryVersionStore } from './telemetry-version.store';
import { TelemetryRepository } from './telemetry.repository';
import { TelemetryReadDatabase } from './telemetry-read.database';
import { TelemetryResolver } from './telemetry.resolver';

/** Telemetry storage: ingest from agents, rollups and retention (BullMQ), and queries for GraphQL. */
@Module({
  providers: [
    TelemetryReadDatabase,
    TelemetryRepository,
    TelemetryScopeRepository,
    RollupStateStore,
    TelemetryVersionStore,
    TelemetryIngestService,
    TelemetryMetrics,
    TelemetryMaintenanceService,
    TelemetryJobs,
    TelemetryQueryService,
    TelemetryResolver,
  ],
  exports: [TelemetryIngestService, TelemetryQueryService, TelemetryMaintenanceService],
})
export class TelemetryModule {}
