import type { JobSchedulerTemplateOptions, JobsOptions } from 'bullmq';
import type { z } from 'zod';

/** The jobs a queue carries: job name -> zod schema of its payload. */
export type JobSchemas = Record<string, z.ZodType>;

/**
 * A BullMQ queue as a feature declares it in its `<feature>.jobs.ts`: producers and the worker
 * share this object, so job names and payload types are checked at compile time on both sides and
 * payloads are validated with the schemas when a job runs.
 */
export interface QueueDefinition<Jobs extends JobSchemas = JobSchemas> {
  /** BullMQ queue name; its keys live under the configured Redis prefix. */
  readonly name: string;
  readonly jobs: Jobs;
  /** Jobs of this queue one replica runs at the same time (default 1). */
  readonly concurrency?: number;
  /**
   * How long a worker's lock on a running job lasts (renewed at half of it while the job runs);
   * a job whose replica died is retried once its lock has expired (BullMQ's stalled-job check runs
   * as often). Default BullMQ's 30 s; shorter for jobs whose delay users wait on.
   */
  readonly lockDurationMs?: number;
  /** Options every job of the queue starts from (attempts, backoff, clean-up); `enqueue` may override them. */
  readonly defaultJobOptions?: JobsOptions;
}

/** Declares a queue; returns its argument, typed so that job names and payloads are known. */
export function defineQueue<const Jobs extends JobSchemas>(
  definition: QueueDefinition<Jobs>,
): QueueDefinition<Jobs> {
  return definition;
}

export type JobName<Q extends QueueDefinition> = keyof Q['jobs'] & string;

/** What a producer passes for a job (the schema's input type). */
export type JobPayload<Q extends QueueDefinition, N extends JobName<Q>> = z.input<Q['jobs'][N]>;

/** What a handler receives: the payload after validation (the schema's output type). */
export type ParsedJobPayload<Q extends QueueDefinition, N extends JobName<Q>> = z.output<Q['jobs'][N]>;

/** Which run of a job this is, for handlers that record attempts (e.g. webhook deliveries). */
export interface JobContext {
  readonly id: string | undefined;
  /** 1 on the first run, 2 on the first retry, and so on. */
  readonly attempt: number;
  /** Runs the job may have in all (1 without retries). */
  readonly maxAttempts: number;
}

/** One handler per declared job name. What a handler returns becomes the job's return value. */
export type JobHandlers<Q extends QueueDefinition> = {
  readonly [N in JobName<Q>]: (payload: ParsedJobPayload<Q, N>, context: JobContext) => Promise<unknown>;
};

/**
 * A repeatable job (a BullMQ job scheduler), upserted by id when the worker starts: every replica
 * registering it is harmless, and each tick runs on one replica.
 */
export type JobSchedule<Q extends QueueDefinition> = {
  [N in JobName<Q>]: {
    readonly id: string;
    readonly job: N;
    /** Defaults to `{}`. */
    readonly payload?: JobPayload<Q, N>;
    readonly options?: JobSchedulerTemplateOptions;
  } & ({ readonly every: number } | { readonly pattern: string });
}[JobName<Q>];

/** The worker side of a queue: its handlers and its repeatable jobs. */
export interface QueueWorker<Q extends QueueDefinition> {
  readonly handlers: JobHandlers<Q>;
  readonly schedules?: readonly JobSchedule<Q>[];
}

/** One job of an `enqueueBulk` call. */
export type JobToEnqueue<Q extends QueueDefinition, N extends JobName<Q> = JobName<Q>> = {
  readonly name: N;
  readonly payload: JobPayload<Q, N>;
  readonly options?: JobsOptions;
};
