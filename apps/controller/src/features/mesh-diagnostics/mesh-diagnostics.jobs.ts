import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { JobRunner } from '../../platform/jobs/job-runner.service';
import { defineQueue } from '../../platform/jobs/jobs.types';
import { MeshReadyService } from './mesh-ready.service';

/** Bursts (a recompute announces one snapshot per cluster) fold into one refresh per tenant. */
export const MESH_READY_DEBOUNCE_MS = 500;

/** MeshReady refreshes, one tenant at a time (deduplicated by tenant, see MeshDiagnosticsService). */
export const meshDiagnosticsQueue = defineQueue({
  name: 'mesh-diagnostics',
  jobs: { 'refresh-mesh-ready': z.object({ tenantId: z.uuid() }) },
  concurrency: 2,
  defaultJobOptions: {
    attempts: 5,
    backoff: { type: 'exponential', delay: 1_000 },
    removeOnComplete: true,
    removeOnFail: 100,
  },
});

@Injectable()
export class MeshDiagnosticsJobs {
  constructor(jobs: JobRunner, meshReady: MeshReadyService) {
    jobs.register(meshDiagnosticsQueue, {
      handlers: { 'refresh-mesh-ready': ({ tenantId }) => meshReady.refreshMeshReady(tenantId) },
    });
  }
}
