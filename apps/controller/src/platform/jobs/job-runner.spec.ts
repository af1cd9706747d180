import type { Job } from 'bullmq';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { MetricsService } from '../metrics/metrics.service';
import type { RedisService } from '../redis/redis.service';
import { InvalidJobError, JobRunner, processJob, registeredQueue } from './job-runner.service';
import { JobMetrics } from './jobs.metrics';
import { defineQueue, type JobContext } from './jobs.types';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';

const TENANT = '6f1c2a9e-3b7d-4c8e-9f10-2a3b4c5d6e7f';

const exampleQueue = defineQueue({
  name: 'example',
  jobs: {
    greet: z.object({ tenantId: z.uuid(), times: z.number().int().default(1) }),
    sweep: z.object({}),
  },
});

type FakeJob = Parameters<typeof processJob>[1];

function job(
  name: string,
  data: unknown,
  overrides: Partial<Pick<Job, 'attemptsMade' | 'opts'>> = {},
): FakeJob {
  return { id: '1', name, data, attemptsMade: 0, opts: {}, timestamp: Date.now(), delay: 0, ...overrides };
}

async function outcomes(metrics: JobMetrics): Promise<Record<string, number>> {
  const values = (await metrics.outcomes.get()).values;
  return Object.fromEntries(
    values.map((value) => [`${value.labels.job}/${value.labels.outcome}`, value.value]),
  );
}

describe('processJob (worker side of the job runner)', () => {
  let metrics: JobMetrics;
  let calls: { payload: unknown; context: JobContext }[];
  const registration = () =>
    registeredQueue(exampleQueue, {
      handlers: {
        greet: async (payload, context) => {
          calls.push({ payload, context });
          return `hello ${payload.times}`;
        },
        sweep: () => Promise.reject(new Error('database is down')),
      },
    });

  beforeEach(() => {
    metrics = new JobMetrics(new Registry(), () => Promise.resolve([]));
    calls = [];
  });

  it('hands the validated payload (with schema defaults) and the attempt to the handler', async () => {
    const result = await processJob(
      registration(),
      job('greet', { tenantId: TENANT, extra: 'dropped' }, { attemptsMade: 1, opts: { attempts: 3 } }),
      metrics,
    );

    expect(result).toBe('hello 1');
    expect(calls).toEqual([
      { payload: { tenantId: TENANT, times: 1 }, context: { id: '1', attempt: 2, maxAttempts: 3 } },
    ]);
    expect(await outcomes(metrics)).toEqual({ 'greet/completed': 1 });
  });

  it('fails a job whose payload does not match its schema, naming the queue, the job and the problem', async () => {
    const run = processJob(registration(), job('greet', { tenantId: 'not-a-uuid', times: 'twice' }), metrics);

    await expect(run).rejects.toThrow(InvalidJobError);
    await expect(run).rejects.toThrow(/^example job "greet" has an invalid payload: tenantId: .*; times: /);
    expect(calls).toEqual([]);
    expect(await outcomes(metrics)).toEqual({ 'greet/invalid': 1 });
  });

  it('fails a job whose name is not declared, the same way, and counts it under "unknown"', async () => {
    const run = processJob(registration(), job('greett', { tenantId: TENANT }), metrics);

    await expect(run).rejects.toThrow(InvalidJobError);
    await expect(run).rejects.toThrow('example job "greett" is not declared (declared: greet, sweep)');
    expect(calls).toEqual([]);
    expect(await outcomes(metrics)).toEqual({ 'unknown/invalid': 1 });
  });

  it('passes a handler failure through (BullMQ retries it) and counts it as failed', async () => {
    await expect(processJob(registration(), job('sweep', {}), metrics)).rejects.toThrow('database is down');
    expect(await outcomes(metrics)).toEqual({ 'sweep/failed': 1 });
  });

  it('records the wait time of a first attempt only, and the run time of every attempt', async () => {
    const due = job('greet', { tenantId: TENANT });
    due.timestamp = Date.now() - 2_000;
    await processJob(registration(), due, metrics);
    await processJob(registration(), job('greet', { tenantId: TENANT }, { attemptsMade: 1 }), metrics);

    const wait = (await metrics.waitSeconds.get()).values.find(
      (value) => value.metricName === 'lattice_job_wait_seconds_count',
    );
    const runs = (await metrics.runSeconds.get()).values.find(
      (value) => value.metricName === 'lattice_job_run_seconds_count',
    );
    const waitSum = (await metrics.waitSeconds.get()).values.find(
      (value) => value.metricName === 'lattice_job_wait_seconds_sum',
    );
    expect(wait?.value).toBe(1);
    expect(waitSum?.value).toBeGreaterThanOrEqual(2);
    expect(runs?.value).toBe(2);
  });
});

describe('JobRunner registration', () => {
  // Registration and declaration touch no Redis: queues are created on first use.
  const runner = () =>
    new JobRunner({} as RedisService, new MetricsService(), testRuntimeConfig('postgresql://unused'));

  it('refuses a second set of handlers for one queue', () => {
    const jobs = runner();
    const handlers = { greet: () => Promise.resolve(), sweep: () => Promise.resolve() };
    jobs.register(exampleQueue, { handlers });
    expect(() => jobs.register(exampleQueue, { handlers })).toThrow('job queue example has handlers already');
  });

  it('refuses two different declarations of one queue name', () => {
    const jobs = runner();
    jobs.register(exampleQueue, {
      handlers: { greet: () => Promise.resolve(), sweep: () => Promise.resolve() },
    });
    const impostor = defineQueue({ name: 'example', jobs: { other: z.object({}) } });
    expect(() => jobs.register(impostor, { handlers: { other: () => Promise.resolve() } })).toThrow(
      'job queue example is declared twice',
    );
  });

  it('types producers and handlers from the declaration', () => {
    const jobs = runner();
    const typeChecks = () => {
      // @ts-expect-error an undeclared job name
      void jobs.enqueue(exampleQueue, 'greett', { tenantId: TENANT });
      // @ts-expect-error a payload missing a field
      void jobs.enqueue(exampleQueue, 'greet', {});
      jobs.register(exampleQueue, {
        // @ts-expect-error a handler missing for a declared job
        handlers: { greet: () => Promise.resolve() },
      });
    };
    expect(typeChecks).toBeInstanceOf(Function);
  });
});
