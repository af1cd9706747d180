import { BullMQOtel } from 'bullmq-otel';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import type Redis from 'ioredis';
import type { z } from 'zod';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config.types';
import { MetricsService } from '../metrics/metrics.service';
import { RedisService } from '../redis/redis.service';
import { DEPTH_STATES, JobMetrics, type JobOutcome, type QueueDepth } from './jobs.metrics';
import type {
  JobContext,
  JobHandlers,
  JobName,
  JobPayload,
  JobToEnqueue,
  QueueDefinition,
  QueueWorker,
} from './jobs.types';

/**
 * Spans for adding and processing jobs, linked across the queue (the trace context travels with the
 * job). Without a started OpenTelemetry SDK (platform/tracing) the tracer is a no-op.
 */
const jobTelemetry = new BullMQOtel({ tracerName: 'lattice-jobs' });

/**
 * A job the worker refuses to run: its name is not declared on the queue, or its payload does not
 * match the job's schema. Unrecoverable, so BullMQ fails it at once instead of retrying.
 */
export class InvalidJobError extends UnrecoverableError {}

/** A registered queue with its types erased: what the worker needs to run any of its jobs. */
export interface RegisteredQueue {
  readonly definition: QueueDefinition;
  readonly run: (job: Pick<Job, 'name' | 'data'>, context: JobContext) => Promise<unknown>;
  readonly schedules: QueueWorker<QueueDefinition>['schedules'];
}

/**
 * The one place that talks to BullMQ. Features declare queues (`defineQueue` in `<feature>.jobs.ts`),
 * register their handlers (`register`, usually from the constructor of a `<Feature>Jobs` provider)
 * and enqueue typed jobs (`enqueue`). The runner creates the queues on first use, starts a worker
 * per registered queue when the application has started, validates every payload before a handler
 * sees it, records metrics, and closes everything on shutdown.
 */
@Injectable()
export class JobRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(JobRunner.name);
  private readonly metrics: JobMetrics;
  private readonly definitions = new Map<string, QueueDefinition>();
  private readonly queues = new Map<string, Queue>();
  private readonly registered = new Map<string, RegisteredQueue>();
  private readonly workers = new Map<string, Worker>();
  private connection?: Redis;
  private closed = false;

  constructor(
    private readonly redis: RedisService,
    metrics: MetricsService,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {
    this.metrics = new JobMetrics(metrics.registry, () => this.depths());
  }

  /** Registers the handlers (and repeatable jobs) of a queue; its worker starts with the application. */
  register<Q extends QueueDefinition>(definition: Q, worker: QueueWorker<Q>): void {
    this.declare(definition);
    if (this.registered.has(definition.name))
      throw new Error(`job queue ${definition.name} has handlers already`);
    this.registered.set(definition.name, registeredQueue(definition, worker));
  }

  async enqueue<Q extends QueueDefinition, N extends JobName<Q>>(
    definition: Q,
    name: N,
    payload: JobPayload<Q, N>,
    options?: JobsOptions,
  ): Promise<void> {
    await this.queue(definition).add(name, payload, options);
  }

  async enqueueBulk<Q extends QueueDefinition>(
    definition: Q,
    jobs: readonly JobToEnqueue<Q>[],
  ): Promise<void> {
    if (jobs.length === 0) return;
    await this.queue(definition).addBulk(
      jobs.map((job) => ({ name: job.name, data: job.payload, opts: job.options })),
    );
  }

  /** The BullMQ queue of a declaration, created on first use (tests read its job counts). */
  queue(definition: QueueDefinition): Queue {
    this.declare(definition);
    let queue = this.queues.get(definition.name);
    if (!queue) {
      if (this.closed) throw new Error(`job queue ${definition.name} used after shutdown`);
      queue = new Queue(definition.name, {
        connection: this.sharedConnection(),
        prefix: this.redis.prefix,
        defaultJobOptions: definition.defaultJobOptions,
        telemetry: jobTelemetry,
      });
      // Without a listener BullMQ prints the error as plain text (not a JSON log line).
      const name = definition.name;
      queue.on('error', (error) => this.logger.warn({ queue: name, err: error }, `${name} queue error`));
      this.queues.set(definition.name, queue);
    }
    return queue;
  }

  /** Workers run on replicas with the `worker` role (LATTICE_ROLES); every replica may enqueue. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.env.LATTICE_ROLES.includes('worker')) {
      this.logger.log('no job workers on this replica (LATTICE_ROLES has no "worker")');
      return;
    }
    await this.start();
  }

  /**
   * Upserts the repeatable jobs and starts the workers of the registered queues (all of them, or
   * only the named ones: a test may run one worker without booting the application).
   */
  async start(queueNames?: readonly string[]): Promise<void> {
    for (const registration of this.registered.values()) {
      const name = registration.definition.name;
      if (this.workers.has(name) || (queueNames && !queueNames.includes(name))) continue;
      for (const schedule of registration.schedules ?? []) {
        const repeat = 'every' in schedule ? { every: schedule.every } : { pattern: schedule.pattern };
        await this.queue(registration.definition).upsertJobScheduler(schedule.id, repeat, {
          name: schedule.job,
          data: schedule.payload ?? {},
          opts: schedule.options,
        });
      }
      this.workers.set(name, this.startWorker(registration));
    }
  }

  /** Waits for running jobs to finish (queued ones stay in Redis for any replica), then closes the queues. */
  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.workers.values()].map((worker) => worker.close()));
    await Promise.allSettled([...this.queues.values()].map((queue) => queue.close()));
    this.workers.clear();
    this.queues.clear();
  }

  private startWorker(registration: RegisteredQueue): Worker {
    const queue = registration.definition.name;
    const worker = new Worker(queue, (job) => processJob(registration, job, this.metrics), {
      connection: this.sharedConnection(),
      prefix: this.redis.prefix,
      concurrency: registration.definition.concurrency ?? 1,
      ...(registration.definition.lockDurationMs
        ? {
            lockDuration: registration.definition.lockDurationMs,
            stalledInterval: registration.definition.lockDurationMs,
          }
        : {}),
      telemetry: jobTelemetry,
    });
    worker.on('failed', (job, error) => this.logFailure(queue, job, error));
    worker.on('error', (error) => this.logger.error({ queue, err: error }, `${queue} worker error`));
    return worker;
  }

  /** A rejected job is an error; a failed attempt a warning while BullMQ will retry it. */
  private logFailure(queue: string, job: Job | undefined, error: Error): void {
    const fields = { queue, job: job?.name, jobId: job?.id, data: job?.data as unknown, err: error };
    if (error instanceof InvalidJobError) {
      this.logger.error(fields, `job rejected: ${error.message}`);
      return;
    }
    const attempts = maxAttempts(job);
    const willRetry =
      job !== undefined && !(error instanceof UnrecoverableError) && job.attemptsMade < attempts;
    const message = `${queue} job ${job?.name ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'} of ${attempts}${willRetry ? ', will retry' : ''}): ${error.message}`;
    if (willRetry) this.logger.warn(fields, message);
    else this.logger.error(fields, message);
  }

  /** One connection for every queue and worker (BullMQ gives each worker its own blocking one). */
  private sharedConnection(): Redis {
    this.connection ??= this.redis.connectionForQueue();
    return this.connection;
  }

  private declare(definition: QueueDefinition): void {
    const known = this.definitions.get(definition.name);
    if (known && known !== definition) throw new Error(`job queue ${definition.name} is declared twice`);
    this.definitions.set(definition.name, definition);
  }

  private async depths(): Promise<QueueDepth[]> {
    if (this.closed) return [];
    const depths = await Promise.all(
      [...this.queues.entries()].map(async ([queue, bullQueue]) => {
        try {
          return { queue, counts: await bullQueue.getJobCounts(...DEPTH_STATES) };
        } catch {
          return undefined; // Redis unavailable: skip this scrape's sample rather than fail /metrics
        }
      }),
    );
    return depths.filter((depth) => depth !== undefined);
  }
}

/**
 * Runs one attempt of a job: validates it against the queue's declaration (an undeclared name or an
 * invalid payload throws InvalidJobError naming the queue, the job and the problem), calls its
 * handler and records wait time, run time and outcome.
 */
export async function processJob(
  registration: RegisteredQueue,
  job: Pick<Job, 'id' | 'name' | 'data' | 'attemptsMade' | 'opts' | 'timestamp' | 'delay'>,
  metrics: JobMetrics,
): Promise<unknown> {
  const queue = registration.definition.name;
  const labels = { queue, job: Object.hasOwn(registration.definition.jobs, job.name) ? job.name : 'unknown' };
  const startedAt = Date.now();
  if (job.attemptsMade === 0) {
    metrics.waitSeconds.observe(labels, Math.max(0, startedAt - job.timestamp - (job.delay ?? 0)) / 1000);
  }
  let outcome: JobOutcome = 'failed';
  try {
    const context = { id: job.id, attempt: job.attemptsMade + 1, maxAttempts: maxAttempts(job) };
    const result = await registration.run(job, context);
    outcome = 'completed';
    return result;
  } catch (error) {
    if (error instanceof InvalidJobError) outcome = 'invalid';
    throw error;
  } finally {
    metrics.runSeconds.observe(labels, (Date.now() - startedAt) / 1000);
    metrics.outcomes.inc({ ...labels, outcome });
  }
}

export function registeredQueue<Q extends QueueDefinition>(
  definition: Q,
  worker: QueueWorker<Q>,
): RegisteredQueue {
  return {
    definition,
    run: (job, context) => runJob(definition, worker.handlers, job, context),
    schedules: worker.schedules,
  };
}

async function runJob<Q extends QueueDefinition>(
  definition: Q,
  handlers: JobHandlers<Q>,
  job: Pick<Job, 'name' | 'data'>,
  context: JobContext,
): Promise<unknown> {
  const name = job.name;
  if (!isJobName(definition, name)) {
    const declared = Object.keys(definition.jobs).join(', ');
    throw new InvalidJobError(`${definition.name} job "${name}" is not declared (declared: ${declared})`);
  }
  const parsed = definition.jobs[name].safeParse(job.data);
  if (!parsed.success) {
    throw new InvalidJobError(
      `${definition.name} job "${name}" has an invalid payload: ${describeIssues(parsed.error)}`,
    );
  }
  // The data was just validated by this job's schema, so it has the handler's payload type.
  const handler = handlers[name] as (payload: unknown, context: JobContext) => Promise<unknown>;
  return handler(parsed.data, context);
}

function isJobName<Q extends QueueDefinition>(definition: Q, name: string): name is JobName<Q> {
  return Object.hasOwn(definition.jobs, name);
}

function maxAttempts(job: Pick<Job, 'opts'> | undefined): number {
  return Math.max(1, job?.opts.attempts ?? 1);
}

/** "tenantId: Invalid UUID; reason: Too big…" — one line for logs and the job's failure reason. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) =>
      issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message,
    )
    .join('; ');
}
