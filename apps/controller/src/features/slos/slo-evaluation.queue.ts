import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Queue, Worker, type Job } from 'bullmq';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { RedisService } from '../../platform/redis/redis.service';
import { SloEvaluationService } from './slo-evaluation.service';

export const SLO_EVALUATION_QUEUE = 'slo-evaluation';
/** Its own queue, so a long backfill never holds up the per-minute job on a replica's worker. */
export const SLO_SERIES_QUEUE = 'slo-series';
const EVALUATE_JOB = 'evaluate';
const RETENTION_JOB = 'retention';
const REPAIR_JOB = 'repair';
/** How often the series job looks for late minutes, gaps and backfills (each run works up to 20 s). */
const REPAIR_EVERY_MS = 15_000;

/**
 * The evaluation job every LATTICE_SLO_EVALUATION_INTERVAL_SECONDS (60 by default; shorter only to
 * see late telemetry sooner, e.g. in tests: each run evaluates the complete minutes) and hourly
 * retention, as BullMQ job schedulers upserted by id (every replica registering them is harmless;
 * each tick runs on one replica, and the evaluation also takes a database lock); and, on a queue
 * of its own, the series job (late telemetry, catch-up after an outage, backfill of new series).
 */
@Injectable()
export class SloEvaluationQueue implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SloEvaluationQueue.name);
  private queue?: Queue;
  private worker?: Worker;
  private seriesQueue?: Queue;
  private seriesWorker?: Worker;

  constructor(
    private readonly redis: RedisService,
    private readonly evaluation: SloEvaluationService,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const prefix = this.redis.prefix;
    this.queue = new Queue(SLO_EVALUATION_QUEUE, { connection: this.redis.connectionForQueue(), prefix });
    const every = this.config.env.LATTICE_SLO_EVALUATION_INTERVAL_SECONDS * 1000;
    await this.queue.upsertJobScheduler('slo-evaluation', { every }, { name: EVALUATE_JOB, opts: cleanUp });
    await this.queue.upsertJobScheduler('slo-retention', { pattern: '23 * * * *' }, { name: RETENTION_JOB, opts: cleanUp });
    this.worker = new Worker(SLO_EVALUATION_QUEUE, (job) => this.process(job), {
      connection: this.redis.connectionForQueue(),
      prefix,
      concurrency: 1,
    });
    this.worker.on('failed', (job, error) => this.logger.error({ err: error, job: job?.name }, 'SLO job failed'));

    this.seriesQueue = new Queue(SLO_SERIES_QUEUE, { connection: this.redis.connectionForQueue(), prefix });
    await this.seriesQueue.upsertJobScheduler('slo-series', { every: Math.min(every, REPAIR_EVERY_MS) }, { name: REPAIR_JOB, opts: cleanUp });
    this.seriesWorker = new Worker(SLO_SERIES_QUEUE, () => this.evaluation.repairSeries(), {
      connection: this.redis.connectionForQueue(),
      prefix,
      concurrency: 1,
    });
    this.seriesWorker.on('failed', (job, error) => this.logger.error({ err: error, job: job?.name }, 'SLO series job failed'));
  }

  private async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case EVALUATE_JOB:
        return this.evaluation.evaluate();
      case RETENTION_JOB:
        return this.evaluation.applyRetention();
      default:
        throw new Error(`unknown SLO job ${job.name}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
    await this.seriesWorker?.close();
    await this.seriesQueue?.close();
  }
}

const cleanUp = { removeOnComplete: 100, removeOnFail: 100 };
