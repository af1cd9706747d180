import type { Benchmark } from './support/benchmark';
import type { BenchController } from './support/controller';
import { startFleetProcesses, type FleetEndpoints } from './support/fleet-process';
import { UsageSampler } from './support/process-usage';
import { summarize } from './support/stats';

const SERVICE_METRICS = `query($gns: ID!, $from: DateTime!, $to: DateTime!) {
  serviceMetrics(gnsId: $gns, service: "reviews", from: $from, to: $to, step: 60) {
    timestamp requests requestRate errorRate p50 p90 p99
  }
}`;
const TOPOLOGY = `query($gns: ID!, $from: DateTime!, $to: DateTime!) {
  topology(gnsId: $gns, from: $from, to: $to) {
    nodes { id clusterName service requestRate errorRate p99 }
    edges { sourceId destinationId requestRate errorRate p99 }
  }
}`;

/**
 * GraphQL latency under load: one tenant's fleet has an hour of telemetry for a Global Namespace
 * spanning it; a second tenant's fleet keeps ingesting (replaying history) meanwhile. Both fleets
 * run in their own processes (`--ingest-processes`, default 2), as agents do. Each query is fired
 * open-loop at a fixed rate (a request every 10 ms for 100 req/s, whether or not earlier ones have
 * answered, so a slow server cannot slow the load down and hide its own latency). The controller's
 * CPU and RSS over each open-loop phase are reported with it.
 *
 * `--roles=split` runs the deployment `LATTICE_ROLES` allows instead of one all-in-one controller:
 * an `api` process (queried here; its CPU is the one reported), an `agent-gateway` process (the
 * fleets' streams and their telemetry) and a `worker` process (rollups and other jobs), sharing
 * the database, Redis and master key.
 *
 *   npm run bench -- graphql --duration=20 --ingest-agents=40 --ingest-replay=5 [--roles=split]
 */
export const benchmark: Benchmark = {
  name: 'graphql',
  description: 'serviceMetrics (1 h, 1-min steps) and topology p50/p99 at 100 req/s while ingest runs',
  async run(ctx) {
    const rate = Number(ctx.args['rate'] ?? 100);
    const durationSeconds = Number(ctx.args['duration'] ?? 30);
    const queriedAgents = Number(ctx.args['agents'] ?? 20);
    const ingestAgents = Number(ctx.args['ingest-agents'] ?? 40);
    const ingestProcesses = Number(ctx.args['ingest-processes'] ?? 2);
    const ingestReplay = Number(ctx.args['ingest-replay'] ?? 5);
    const roles = String(ctx.args['roles'] ?? 'all');
    if (roles !== 'all' && roles !== 'split') throw new Error(`--roles must be all or split, got ${roles}`);
    // All simulated agents register from one address: the per-peer Register budget would pace them.
    const env = { LATTICE_REGISTER_PER_MINUTE_PER_PEER: '1000000' };
    const controller = await ctx.startController({
      env: roles === 'split' ? { ...env, LATTICE_ROLES: 'api' } : env,
    });
    // The fleets provision through the API and stream to the agent gateway.
    let endpoints: FleetEndpoints = controller;
    if (roles === 'split') {
      const shared = { ...env, LATTICE_MASTER_KEY: controller.masterKey };
      const gateway = await ctx.startController({ env: { ...shared, LATTICE_ROLES: 'agent-gateway' } });
      await ctx.startController({ env: { ...shared, LATTICE_ROLES: 'worker' } });
      endpoints = {
        baseUrl: controller.baseUrl,
        grpcAddress: gateway.grpcAddress,
        operatorToken: controller.operatorToken,
      };
      ctx.log(`roles split: api ${controller.baseUrl}, agent-gateway ${gateway.grpcAddress}, worker`);
    }

    const queried = await startFleetProcesses(ctx, endpoints, {
      agents: queriedAgents,
      processes: 1,
      tenantName: 'gql',
      globalNamespace: 'bookinfo',
      inventory: { services: 8, extraNamespaces: 1, seed: 3 },
      // Fill the last hour quickly (10 minutes per report), then continue in real time.
      telemetry: { intervalMs: 1000, requestsPerSecond: 20, minutesPerReport: 10, backfillMinutes: 65 },
    });
    const ingest = await startFleetProcesses(ctx, endpoints, {
      agents: ingestAgents,
      processes: ingestProcesses,
      tenantName: 'gql-ingest',
      inventory: { services: 24, extraNamespaces: 2, seed: 5 },
      telemetry: {
        intervalMs: 1000,
        requestsPerSecond: 5,
        minutesPerReport: ingestReplay,
        backfillMinutes: 3 * 24 * 60,
        templateMinutes: 60,
      },
    });
    ctx.log('waiting for the queried hour to be stored');
    await new Promise((resolve) => setTimeout(resolve, 12_000));

    const gns = queried.globalNamespaceId as string;
    const token = queried.tenantToken as string;
    // The last hour in whole minutes (the API takes minute boundaries), up to the current one.
    const variables = () => {
      const to = Math.floor(Date.now() / 60_000) * 60_000;
      return { gns, from: new Date(to - 3_600_000).toISOString(), to: new Date(to).toISOString() };
    };
    // Sanity: the hour is there.
    const check = await controller.graphql<{ serviceMetrics: { requests: number }[] }>(
      token,
      SERVICE_METRICS,
      variables(),
    );
    const withTraffic = check.serviceMetrics.filter((point) => point.requests > 0).length;
    ctx.log(`serviceMetrics returns ${check.serviceMetrics.length} points, ${withTraffic} with traffic`);
    if (withTraffic < 30)
      throw new Error(`expected an hour of telemetry, found ${withTraffic} minutes with traffic`);

    for (const [name, query] of [
      ['serviceMetrics', SERVICE_METRICS],
      ['topology', TOPOLOGY],
    ] as const) {
      // One request at a time first: the latency of a single query during ingest, and so the rate
      // one controller can serve at most.
      const sequential = await closedLoop(controller, token, query, variables, Math.min(10, durationSeconds));
      ctx.log(
        `${name}, one at a time: p50 ${sequential.summary.p50.toFixed(0)} ms, p99 ${sequential.summary.p99.toFixed(0)} ms, ${sequential.rate.toFixed(1)} req/s`,
      );
      ctx.record({
        metric: `${name} p50, one request at a time, during ingest`,
        value: sequential.summary.p50,
        unit: 'ms',
        details: { ...sequential.summary, requestsPerSecond: sequential.rate },
      });
      const rowsSince = new Date();
      const usage = new UsageSampler(controller.pid as number);
      usage.start();
      const { latencies, errors, achievedRate } = await openLoop(
        controller,
        token,
        query,
        variables,
        rate,
        durationSeconds,
      );
      const controllerUsage = usage.stop();
      const rowsPerSecond = (await rowsStoredSince(ctx, rowsSince)) / durationSeconds;
      const summary = summarize(latencies);
      ctx.log(
        `${name}: p50 ${summary.p50} ms, p99 ${summary.p99} ms, ${errors} errors, ${achievedRate.toFixed(1)} req/s`,
      );
      ctx.record({
        metric: `${name} p50 at ${rate} req/s during ingest`,
        value: summary.p50,
        unit: 'ms',
        details: {
          ...summary,
          errors,
          achievedRate,
          ingestRowsPerSecond: Math.round(rowsPerSecond),
          controllerCpuCores: Math.round(controllerUsage.cpuCores * 100) / 100,
          controllerRssMaxMiB: controllerUsage.rssMaxMiB,
        },
      });
      ctx.record({
        metric: `${name} p99 at ${rate} req/s during ingest`,
        value: summary.p99,
        unit: 'ms',
        target: { op: '<', value: 150 },
        details: { errors, ingestRowsPerSecond: Math.round(rowsPerSecond) },
      });
      ctx.record({
        metric: `${name} requests dropped or failed at ${rate} req/s during ingest`,
        value: errors,
        unit: 'requests',
        target: { op: '<=', value: 0 },
      });
      // Let the backlog clear before the next query is measured (not after the last one).
      if (name !== 'topology') await drain(controller, token, query, variables);
    }
    await ingest.stop();
    await queried.stop();
  },
};

/** Sequential requests for `seconds`: latency without queueing, and the rate that gives. */
async function closedLoop(
  controller: BenchController,
  token: string,
  query: string,
  variables: () => Record<string, unknown>,
  seconds: number,
) {
  const latencies: number[] = [];
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    const sent = performance.now();
    await controller.graphql(token, query, variables());
    latencies.push(performance.now() - sent);
  }
  return { summary: summarize(latencies), rate: latencies.length / ((performance.now() - started) / 1000) };
}

/** After an overload, waits (up to 5 min) until the server answers a query within a second again. */
async function drain(
  controller: BenchController,
  token: string,
  query: string,
  variables: () => Record<string, unknown>,
) {
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    const sent = performance.now();
    try {
      await controller.graphql(token, query, variables());
      if (performance.now() - sent < 1000) return;
    } catch {
      // still overloaded
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Rows of the batches stored since `since` (cheap: one row per batch, not per minute row). */
async function rowsStoredSince(ctx: Parameters<Benchmark['run']>[0], since: Date): Promise<number> {
  const rows = await ctx.sql<{ n: string | null }>(
    'SELECT sum(item_count) AS n FROM telemetry_batches WHERE received_at >= $1',
    [since],
  );
  return Number(rows[0]?.n ?? 0);
}

async function openLoop(
  controller: BenchController,
  token: string,
  query: string,
  variables: () => Record<string, unknown>,
  rate: number,
  durationSeconds: number,
): Promise<{ latencies: number[]; errors: number; achievedRate: number }> {
  const latencies: number[] = [];
  let errors = 0;
  // An overloaded server must not turn the benchmark into an hour-long queue: at most this many
  // requests wait at once (the rest are not sent and count as errors), each for at most 10 s.
  const maxInflight = 200;
  const total = Math.round(rate * durationSeconds);
  const intervalMs = 1000 / rate;
  const inflight = new Set<Promise<void>>();
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    if (inflight.size >= maxInflight) {
      errors += 1;
      continue;
    }
    // Measured from when the request was due, so queueing in this process counts too.
    const request = controller
      .request('POST', '/graphql', { token, body: { query, variables: variables() }, timeoutMs: 10_000 })
      .then((result) => {
        const body = result.json as { errors?: unknown[] } | undefined;
        if (result.status !== 200 || body?.errors) errors += 1;
        else latencies.push(performance.now() - due);
      })
      .catch(() => {
        errors += 1;
      });
    const tracked = request.finally(() => inflight.delete(tracked));
    inflight.add(tracked);
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - started) / 1000;
  return { latencies, errors, achievedRate: total / elapsed };
}
