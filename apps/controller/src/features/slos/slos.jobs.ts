import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { JobRunner } from '../../platform/jobs/job-runner.service';
import { defineQueue } from '../../platform/jobs/jobs.types';
import { SloEvaluationService } from './slo-evaluation.service';
import { SloSeriesService } from './slo-series.service';

export const sloEvaluationQueue = defineQueue({
  name: 'slo-evaluation',
  jobs: { evaluate: z.object({}), retention: z.object({}) },
  concurrency: 1,
});

/** Its own queue, so a long backfill never holds up the per-minute job on a replica's worker. */
export const sloSeriesQueue = defineQueue({
  name: 'slo-series',
  jobs: { repair: z.object({}) },
  concurrency: 1,
});

/** How often the series job looks for late minutes, gaps and backfills (each run works up to 20 s). */
const REPAIR_EVERY_MS = 15_000;

const cleanUp = { removeOnComplete: 100, removeOnFail: 100 };

/**
 * The evaluation job every LATTICE_SLO_EVALUATION_INTERVAL_SECONDS (60 by default; shorter only to
 * see late telemetry sooner, e.g. in tests: each run evaluates the complete minutes) and hourly
 * retention (each tick runs on one replica, and the evaluation also takes a database lock); and,
 * on a queue of its own, the series job (late telemetry, catch-up after an outage, backfill of new
 * series).
 */
@Injectable()
export class SlosJobs {
  constructor(
    jobs: JobRunner,
    evaluation: SloEvaluationService,
    series: SloSeriesService,
    @Inject(RUNTIME_CONFIG) config: RuntimeConfig,
  ) {
    const every = config.env.LATTICE_SLO_EVALUATION_INTERVAL_SECONDS * 1000;
    jobs.register(sloEvaluationQueue, {
      handlers: {
        evaluate: () => evaluation.evaluate(),
        retention: () => series.applyRetention(),
      },
      schedules: [
        { id: 'slo-evaluation', job: 'evaluate', every, options: cleanUp },
        { id: 'slo-retention', job: 'retention', pattern: '23 * * * *', options: cleanUp },
      ],
    });
    jobs.register(sloSeriesQueue, {
      handlers: { repair: () => series.repairSeries() },
      schedules: [
        { id: 'slo-series', job: 'repair', every: Math.min(every, REPAIR_EVERY_MS), options: cleanUp },
      ],
    });
  }
}
