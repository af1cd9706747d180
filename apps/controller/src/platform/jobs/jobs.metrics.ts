import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Queue states the depth gauge reports (finished jobs are cleaned up, so "completed" says little). */
export const DEPTH_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'failed'] as const;

export type JobOutcome = 'completed' | 'failed' | 'invalid';

/** Job counts of one queue, read from Redis when Prometheus scrapes. */
export interface QueueDepth {
  queue: string;
  counts: Partial<Record<(typeof DEPTH_STATES)[number], number>>;
}

/**
 * Per-queue job metrics. Labels stay bounded: queue and job names come from the declarations
 * (an undeclared job name is reported as "unknown"), outcomes from a fixed set.
 */
export class JobMetrics {
  readonly waitSeconds: Histogram<'queue' | 'job'>;
  readonly runSeconds: Histogram<'queue' | 'job'>;
  readonly outcomes: Counter<'queue' | 'job' | 'outcome'>;

  constructor(registry: Registry, depths: () => Promise<QueueDepth[]>) {
    new Gauge({
      name: 'lattice_job_queue_depth',
      help: 'Jobs in a BullMQ queue by state',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const { queue, counts } of await depths()) {
          for (const state of DEPTH_STATES) this.set({ queue, state }, counts[state] ?? 0);
        }
      },
    });
    this.waitSeconds = new Histogram({
      name: 'lattice_job_wait_seconds',
      help: 'Time from when a job was due (enqueued plus its delay) to its first run',
      labelNames: ['queue', 'job'] as const,
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers: [registry],
    });
    this.runSeconds = new Histogram({
      name: 'lattice_job_run_seconds',
      help: 'Run time of a job attempt',
      labelNames: ['queue', 'job'] as const,
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers: [registry],
    });
    this.outcomes = new Counter({
      name: 'lattice_job_attempts_total',
      help: 'Job attempts by outcome: completed, failed (the handler threw) or invalid (undeclared job or payload)',
      labelNames: ['queue', 'job', 'outcome'] as const,
      registers: [registry],
    });
  }
}
