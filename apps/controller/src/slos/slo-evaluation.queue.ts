import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Queue, Worker, type Job } from 'bullmq';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config';
import { RedisService } from '../redis/redis.service';
import { SloEvaluationService } from './slo-evaluation.service';

export const SLO_EVALUATION_QUEUE = 'slo-evaluation';
const EVALUATE_JOB = 'evaluate';
const RETENTION_JOB = 'retention';

/**
 * The evaluation job every LATTICE_SLO_EVALUATION_INTERVAL_SECONDS (60 by default; shorter only to
 * see late telemetry sooner, e.g. in tests: each run evaluates the complete minutes) and hourly
 * retention, as BullMQ job schedulers upserted by id (every replica registering them is harmless;
 * each tick runs on one replica, and the evaluation also takes a database lock).
 */
@Injectable()
export class SloEvaluationQueue implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SloEvaluationQueue.name);
  private queue?: Queue;
  private worker?: Worker;

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
  }
}

const cleanUp = { removeOnComplete: 100, removeOnFail: 100 };
