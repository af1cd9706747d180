import { Injectable, Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Job } from 'bullmq';
import { z } from 'zod';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import { RUNTIME_CONFIG } from '../config/runtime-config.types';
import { MetricsService } from '../metrics/metrics.service';
import { RedisService } from '../redis/redis.service';
import { JobRunner } from './job-runner.service';
import { defineQueue } from './jobs.types';

const TENANT = '6f1c2a9e-3b7d-4c8e-9f10-2a3b4c5d6e7f';

const greetings = defineQueue({
  name: 'greetings',
  jobs: {
    greet: z.object({ tenantId: z.uuid(), name: z.string() }),
    tick: z.object({}),
  },
  concurrency: 2,
  defaultJobOptions: { attempts: 3, backoff: { type: 'fixed', delay: 50 } },
});

/** A feature's `<feature>.jobs.ts` provider, as the real ones are written. */
@Injectable()
class GreetingJobs {
  readonly greeted: { tenantId: string; name: string; attempt: number }[] = [];
  ticks = 0;

  constructor(jobs: JobRunner) {
    jobs.register(greetings, {
      handlers: {
        greet: async ({ tenantId, name }, { attempt }) => {
          if (name === 'flaky' && attempt < 2) throw new Error('not yet');
          this.greeted.push({ tenantId, name, attempt });
          return `hello ${name}`;
        },
        tick: async () => {
          this.ticks++;
        },
      },
      schedules: [{ id: 'greetings-tick', job: 'tick', every: 200 }],
    });
  }
}

async function eventually<T>(
  read: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('JobRunner on real Redis', () => {
  let moduleRef: TestingModule;
  let runner: JobRunner;
  let feature: GreetingJobs;
  const errors: string[] = [];

  const finished = (id: string) =>
    eventually(async () => {
      const job: Job | undefined = await runner.queue(greetings).getJob(id);
      return job?.finishedOn ? job : undefined;
    });

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation((...args: unknown[]) => {
      errors.push(args.filter((arg) => typeof arg === 'string').join(' '));
    });
    moduleRef = await Test.createTestingModule({
      providers: [
        { provide: RUNTIME_CONFIG, useValue: testRuntimeConfig('postgresql://unused') },
        RedisService,
        MetricsService,
        JobRunner,
        GreetingJobs,
      ],
    }).compile();
    await moduleRef.init();
    runner = moduleRef.get(JobRunner);
    feature = moduleRef.get(GreetingJobs);
  });

  afterAll(async () => {
    await runner?.queue(greetings).obliterate({ force: true });
    await moduleRef?.close();
    jest.restoreAllMocks();
  });

  it('runs the handler of an enqueued job with its validated payload', async () => {
    await runner.enqueue(greetings, 'greet', { tenantId: TENANT, name: 'east' }, { jobId: 'greet-east' });

    const job = await finished('greet-east');
    expect(job.returnvalue).toBe('hello east');
    expect(feature.greeted).toContainEqual({ tenantId: TENANT, name: 'east', attempt: 1 });
  });

  it('retries a failing handler with the declared backoff', async () => {
    await runner.enqueue(greetings, 'greet', { tenantId: TENANT, name: 'flaky' }, { jobId: 'greet-flaky' });

    const job = await finished('greet-flaky');
    expect(job.returnvalue).toBe('hello flaky');
    expect(feature.greeted).toContainEqual({ tenantId: TENANT, name: 'flaky', attempt: 2 });
  });

  it('fails a job with an invalid payload at once, with a reason naming the job and the problem', async () => {
    // Bypasses the typed enqueue, as a producer of an older release (or a bug) would.
    await runner.queue(greetings).add('greet', { tenantId: 'not-a-uuid' }, { jobId: 'greet-invalid' });

    const job = await finished('greet-invalid');
    expect(await job.getState()).toBe('failed');
    expect(job.failedReason).toMatch(/^greetings job "greet" has an invalid payload: tenantId: .+; name: .+/);
    expect(job.attemptsMade).toBe(1); // not retried
    expect(feature.greeted.filter((greeting) => greeting.tenantId === 'not-a-uuid')).toEqual([]);
    await eventually(() =>
      errors.find((message) => message.startsWith('job rejected: greetings job "greet"')),
    );
  });

  it('fails a job with an undeclared name the same way', async () => {
    await runner.queue(greetings).add('wave', { tenantId: TENANT }, { jobId: 'wave-1' });

    const job = await finished('wave-1');
    expect(await job.getState()).toBe('failed');
    expect(job.failedReason).toBe('greetings job "wave" is not declared (declared: greet, tick)');
    expect(job.attemptsMade).toBe(1);
    await eventually(() =>
      errors.find((message) => message.startsWith('job rejected: greetings job "wave"')),
    );
  });

  it('runs repeatable jobs from the declared schedules', async () => {
    await eventually(() => (feature.ticks >= 2 ? true : undefined));
  });

  it('exposes depth, wait, run and outcome metrics per queue', async () => {
    const text = await moduleRef.get(MetricsService).registry.metrics();
    expect(text).toMatch(/lattice_job_queue_depth\{queue="greetings",state="failed"\} 2/);
    expect(text).toMatch(/lattice_job_attempts_total\{queue="greetings",job="greet",outcome="completed"\} 2/);
    expect(text).toMatch(/lattice_job_attempts_total\{queue="greetings",job="greet",outcome="failed"\} 1/);
    expect(text).toMatch(/lattice_job_attempts_total\{queue="greetings",job="greet",outcome="invalid"\} 1/);
    expect(text).toMatch(/lattice_job_attempts_total\{queue="greetings",job="unknown",outcome="invalid"\} 1/);
    expect(text).toMatch(/lattice_job_wait_seconds_count\{queue="greetings",job="greet"\} 3/);
    expect(text).toMatch(/lattice_job_run_seconds_count\{queue="greetings",job="greet"\} 4/);
  });
});
