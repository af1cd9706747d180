import type { Benchmark } from './support/benchmark';
import { measureCopyFloor } from './support/copy-floor';
import { startFleetProcesses } from './support/fleet-process';
import { UsageSampler } from './support/process-usage';
import { summarize } from './support/stats';

/**
 * Simulated agents in `--processes` forked processes replay synthetic history as fast as the flags
 * ask (each report carries several minutes of per-edge rows), and the controller stores them in
 * PostgreSQL. Measured over a steady window after a warm-up: rows per second stored (the rows of
 * the batches committed in the window), next to what the agents offered; for sampled batches, the
 * delay from the agent sending the batch to its batch id (written in the same transaction as its
 * rows) being visible to a query; the controller's CPU and RSS (first and last third of the
 * window: growth shows). Then, in the same run and database, the same rows written by a plain COPY
 * (the floor the issue compares with) and the ratio.
 *
 *   npm run bench -- telemetry-ingest --duration=600 --agents=50 --replay=30 --processes=2
 */
export const benchmark: Benchmark = {
  name: 'telemetry-ingest',
  description:
    'telemetry rows per second sustained into PostgreSQL vs plain COPY; agent send -> queryable delay',
  async run(ctx) {
    const agents = Number(ctx.args['agents'] ?? 50);
    const services = Number(ctx.args['services'] ?? 24);
    const minutesPerReport = Number(ctx.args['replay'] ?? 30);
    const warmupSeconds = Number(ctx.args['warmup'] ?? 10);
    const durationSeconds = Number(ctx.args['duration'] ?? 60);
    const processes = Number(ctx.args['processes'] ?? 2);
    const copyStreams = Number(ctx.args['copy-streams'] ?? 4);
    const copyRows = Number(ctx.args['copy-rows'] ?? 200_000);
    // Cycle of pre-generated minutes the agents replay (0: sample every minute afresh, which costs
    // the load generator more CPU than the controller on this machine).
    const templateMinutes = Number(ctx.args['template-minutes'] ?? 60);
    // History for the whole run (the replay moves minutesPerReport minutes per second, plus agent
    // start-up): a 10-minute run at 30 minutes per report replays 12.5 days, so the controller keeps
    // minutes long enough to accept them (its validation refuses minutes past retention).
    const historyMinutes = (durationSeconds + warmupSeconds + 180) * minutesPerReport;
    const retentionDays = Math.min(90, Math.max(7, Math.ceil(historyMinutes / 1440) + 1));
    // All simulated agents register from one address: the per-peer Register budget would pace them.
    const controller = await ctx.startController({
      env: {
        LATTICE_REGISTER_PER_MINUTE_PER_PEER: '1000000',
        LATTICE_TELEMETRY_MINUTE_RETENTION_DAYS: String(retentionDays),
      },
    });
    const fleet = await startFleetProcesses(ctx, controller, {
      agents,
      processes,
      tenantName: 'ingest',
      inventory: { services, extraNamespaces: 2, seed: 7 },
      telemetry: {
        intervalMs: 1000,
        requestsPerSecond: 5,
        minutesPerReport,
        backfillMinutes: Math.min((retentionDays - 1) * 1440, historyMinutes),
        templateMinutes: templateMinutes || undefined,
      },
    });
    const edges = services - 1;
    ctx.log(
      `${agents} agents in ${fleet.processes} processes x ${edges} edges x ${minutesPerReport} minutes per 1 s report = ${agents * edges * minutesPerReport} rows/s asked for`,
    );

    // Send -> queryable: sample one sent batch at a time and poll for its id.
    const delays: number[] = [];
    let sampling = true;
    let unseen = 0;
    const sampler = (async () => {
      while (sampling) {
        const sample = await fleet.nextSent();
        for (;;) {
          const rows = await ctx.sql(
            'SELECT 1 FROM telemetry_batches WHERE cluster_id = $1 AND batch_id = $2',
            [sample.clusterId, sample.batchId],
          );
          if (rows.length > 0) {
            delays.push(Date.now() - sample.sentAtMs);
            break;
          }
          if (Date.now() - sample.sentAtMs > 60_000 || !sampling) {
            unseen += 1;
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        // Let some batches pass between samples.
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();

    const storedSince = async (since: Date): Promise<number> =>
      Number(
        (
          await ctx.sql<{ n: string | null }>(
            'SELECT sum(item_count) AS n FROM telemetry_batches WHERE received_at >= $1',
            [since],
          )
        )[0]?.n ?? 0,
      );
    await new Promise((resolve) => setTimeout(resolve, warmupSeconds * 1000));
    const usage = new UsageSampler(controller.pid as number);
    const startedAt = new Date();
    const sentBefore = (await fleet.status()).itemsSent;
    usage.start();
    await new Promise((resolve) => setTimeout(resolve, durationSeconds * 1000));
    const endedAt = new Date();
    const controllerUsage = usage.stop();
    const fleetStatus = await fleet.status();
    const seconds = (endedAt.getTime() - startedAt.getTime()) / 1000;
    const rowsInWindow = await storedSince(startedAt);
    sampling = false;
    await fleet.stop();
    await sampler.catch(() => undefined);
    const stored = rowsInWindow / seconds;
    const offered = (fleetStatus.itemsSent - sentBefore) / seconds;
    ctx.log(`stored ${Math.round(stored)} rows/s (offered ${Math.round(offered)}); measuring plain COPY`);

    const floor = await measureCopyFloor(
      ctx.databaseUrl,
      Math.min(copyRows, Math.max(rowsInWindow, 10_000)),
      copyStreams,
    );
    const floorOne = await measureCopyFloor(
      ctx.databaseUrl,
      Math.min(copyRows, Math.max(rowsInWindow, 10_000)),
      1,
    );
    const best = Math.max(floor.rowsPerSecond, floorOne.rowsPerSecond);
    ctx.record({
      metric: `telemetry rows stored per second (${agents} agents in ${fleet.processes} processes)`,
      value: stored,
      unit: 'rows/s',
      target: { op: '>=', value: 20_000 },
      details: {
        offeredRowsPerSecond: Math.round(offered),
        templateMinutes,
        windowSeconds: seconds,
        rowsInWindow,
        batchesSent: fleetStatus.batchesSent,
        controllerCpuCores: Math.round(controllerUsage.cpuCores * 100) / 100,
        controllerRssMaxMiB: controllerUsage.rssMaxMiB,
        controllerRssFirstThirdMiB: controllerUsage.rssFirstThirdMiB,
        controllerRssLastThirdMiB: controllerUsage.rssLastThirdMiB,
        fleetRssMiB: Math.round(fleetStatus.rssBytes / 2 ** 20),
      },
    });
    ctx.record({
      metric: `plain COPY of the same rows into telemetry_minutes (best of 1 and ${copyStreams} streams)`,
      value: best,
      unit: 'rows/s',
      details: {
        [`rowsPerSecond${copyStreams}Streams`]: Math.round(floor.rowsPerSecond),
        rowsPerSecond1Stream: Math.round(floorOne.rowsPerSecond),
        rows: floor.rows,
      },
    });
    ctx.record({
      metric: 'ingest / plain COPY',
      value: (100 * stored) / best,
      unit: '%',
      target: { op: '>=', value: 50 },
    });
    ctx.record({
      metric: 'controller RSS, last third of the window vs first third',
      value: controllerUsage.rssLastThirdMiB - controllerUsage.rssFirstThirdMiB,
      unit: 'MiB',
      details: { ...controllerUsage },
    });
    const delay = summarize(delays);
    ctx.record({
      metric: 'agent send -> queryable, p50',
      value: delay.p50,
      unit: 'ms',
      details: { ...delay, samplesNotSeenWithin60s: unseen },
    });
    ctx.record({
      metric: 'agent send -> queryable, p99',
      value: delay.p99,
      unit: 'ms',
      target: { op: '<', value: 2000 },
    });
  },
};
