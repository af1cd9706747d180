import type { Benchmark } from './support/benchmark';
import { benchFleet } from './support/fleet';
import { summarize } from './support/stats';

/**
 * Simulated agents replay synthetic history as fast as the flags ask (each report carries several
 * minutes of per-edge rows), and the controller stores them in PostgreSQL. Measured over a steady
 * window after a warm-up: rows per second that reached telemetry_minutes, next to what the agents
 * offered; and, for sampled batches, the delay from the agent sending the batch to its batch id
 * (written in the same transaction as its rows) being visible to a query.
 */
export const benchmark: Benchmark = {
  name: 'telemetry-ingest',
  description: 'telemetry rows per second sustained into PostgreSQL; agent send -> queryable delay',
  async run(ctx) {
    const agents = Number(ctx.args['agents'] ?? 100);
    const services = Number(ctx.args['services'] ?? 24);
    const minutesPerReport = Number(ctx.args['replay'] ?? 12);
    const warmupSeconds = Number(ctx.args['warmup'] ?? 10);
    const durationSeconds = Number(ctx.args['duration'] ?? 60);
    // Cycle of pre-generated minutes the agents replay (0: sample every minute afresh, which costs
    // the load generator more CPU than the controller on this machine).
    const templateMinutes = Number(ctx.args['template-minutes'] ?? 60);
    const controller = await ctx.startController();
    const fleet = benchFleet(ctx, controller, {
      agents,
      tenantName: 'ingest',
      inventory: { services, extraNamespaces: 2, seed: 7 },
      telemetry: {
        intervalMs: 1000,
        requestsPerSecond: 5,
        minutesPerReport,
        backfillMinutes: 3 * 24 * 60,
        templateMinutes: templateMinutes || undefined,
      },
    });
    await fleet.provision();
    await fleet.start();
    const edges = services - 1;
    ctx.log(
      `${agents} agents x ${edges} edges x ${minutesPerReport} minutes per 1 s report = ${agents * edges * minutesPerReport} rows/s offered`,
    );

    // Send -> queryable: sample one sent batch at a time and poll for its id.
    const delays: number[] = [];
    let sampling = true;
    let pending: { clusterId: string; batchId: string; sentAt: number } | undefined;
    const unsubscribe = fleet.agents.map((agent) =>
      agent.transport.onTelemetrySent((batch, atMs) => {
        if (sampling && !pending && batch.batchId)
          pending = { clusterId: agent.clusterId, batchId: batch.batchId, sentAt: atMs };
      }),
    );
    const sampler = (async () => {
      while (sampling) {
        const sample = pending;
        if (!sample) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          continue;
        }
        for (;;) {
          const rows = await ctx.sql(
            'SELECT 1 FROM telemetry_batches WHERE cluster_id = $1 AND batch_id = $2',
            [sample.clusterId, sample.batchId],
          );
          if (rows.length > 0) {
            delays.push(Date.now() - sample.sentAt);
            break;
          }
          if (Date.now() - sample.sentAt > 60_000 || !sampling) break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        // Let some batches pass between samples.
        await new Promise((resolve) => setTimeout(resolve, 250));
        pending = undefined;
      }
    })();

    const countRows = async (): Promise<number> =>
      Number((await ctx.sql<{ n: string }>('SELECT count(*) AS n FROM telemetry_minutes'))[0]?.n ?? 0);
    const sentItems = (): number => fleet.status().telemetryItemsSent;
    await new Promise((resolve) => setTimeout(resolve, warmupSeconds * 1000));
    const start = { at: Date.now(), rows: await countRows(), sent: sentItems() };
    const rssSamples: number[] = [];
    const rssTimer = setInterval(() => rssSamples.push(controller.rssBytes()), 1000);
    await new Promise((resolve) => setTimeout(resolve, durationSeconds * 1000));
    clearInterval(rssTimer);
    const end = { at: Date.now(), rows: await countRows(), sent: sentItems() };
    sampling = false;
    await sampler;
    for (const stop of unsubscribe) stop();
    const seconds = (end.at - start.at) / 1000;
    const stored = (end.rows - start.rows) / seconds;
    const offered = (end.sent - start.sent) / seconds;
    const batchesSent = fleet.agents.reduce(
      (sum, agent) => sum + agent.transport.counters.telemetryBatchesSent,
      0,
    );
    ctx.record({
      metric: `telemetry rows stored per second (${agents} agents)`,
      value: stored,
      unit: 'rows/s',
      target: { op: '>=', value: 20_000 },
      details: {
        offeredRowsPerSecond: Math.round(offered),
        templateMinutes,
        windowSeconds: seconds,
        rowsInWindow: end.rows - start.rows,
        totalRows: end.rows,
        batchesSent,
        controllerRssMiB: Math.round(Math.max(...rssSamples) / 2 ** 20),
      },
    });
    const delay = summarize(delays);
    ctx.record({
      metric: 'agent send -> queryable, p50',
      value: delay.p50,
      unit: 'ms',
      details: { ...delay },
    });
    ctx.record({ metric: 'agent send -> queryable, p99', value: delay.p99, unit: 'ms' });
    await fleet.stop();
  },
};
