import type { Benchmark, BenchContext } from './support/benchmark';
import { bucketQuantile, type BenchController, type HistogramBuckets } from './support/controller';
import { measureLoopbackFloor } from './support/loopback-floor';
import { machineLoad } from './support/proc-stats';
import { percentile, summarize } from './support/stats';
import {
  FLEET_CONTROLLER_ENV,
  createFleetSpans,
  waitForFleetConvergence,
  WorkerFleet,
} from './support/worker-fleet';

const WRITE_PATH_METRIC = 'lattice_config_write_enqueued_seconds';
const SNAPSHOT_BYTES_METRIC = 'lattice_agent_snapshot_bytes_sent_total';

/**
 * By default one Global Namespace spans the whole fleet (every cluster's bookinfo namespace);
 * changing its mTLS mode changes every cluster's desired state. Measured per agent: from just
 * before the PUT to the agent's ACK of a newer version (the agent has rendered and applied it by
 * then). Then a burst of 100 edits in about one second, counting the snapshots each agent receives.
 *
 * The agents run in worker processes (`--fleet-workers`, default one per 500 agents; see
 * support/worker-fleet.ts), so per change the benchmark can report the controller's own CPU time
 * (/proc/<pid>/stat), the snapshot bytes it wrote to agent streams (its
 * lattice_agent_snapshot_bytes_sent_total counter) and every byte it wrote (/proc/<pid>/io), the
 * workers' CPU time, and compare the controller with a floor: the same bytes written to as many
 * loopback TCP connections by a minimal program (support/loopback-floor.ts) in the same run.
 *
 * `--gns-span=<clusters>` (10, 100, 1000, ...) splits the fleet into GNSs of that many clusters;
 * the change is then made to all of them at the same moment (parallel PUTs) and the burst goes to
 * the first one (pushes counted for its agents). `--burst=0` skips the burst.
 *
 * `--change=service` makes each measured change a one-service change instead: the first cluster of
 * every GNS reports another number of ready `reviews` pods (a deployment), which changes that
 * cluster's endpoints of `reviews` in every member's desired state and nothing else — what a delta
 * agent is sent for it is one endpoint group. Default `--change=mtls` (the GNS-wide change above).
 */
export const benchmark: Benchmark = {
  name: 'convergence',
  description:
    'GNS change -> ACK from every agent (100 and 1,000 agents), controller CPU and bytes per change against a loopback floor; write path; pushes per agent for 100 edits in 1 s',
  async run(ctx) {
    const sizes = (ctx.args['agents'] ?? '100,1000').split(',').map(Number);
    const rounds = Number(ctx.args['rounds'] ?? 5);
    const spanArg = ctx.args['gns-span'];
    const workers = ctx.args['fleet-workers'] ? Number(ctx.args['fleet-workers']) : undefined;
    const change = ctx.args['change'] ?? 'mtls';
    if (change !== 'mtls' && change !== 'service')
      throw new Error(`--change must be mtls or service, got ${change}`);
    const controller = await ctx.startController({ env: FLEET_CONTROLLER_ENV });
    for (const agents of sizes) {
      const span = spanArg && Number(spanArg) < agents ? Number(spanArg) : agents;
      if (!Number.isInteger(Math.log10(span)) && span !== agents)
        throw new Error(`--gns-span must be a power of 10 below the fleet size, got ${spanArg}`);
      const tenantName = `conv-${agents}`;
      const fleet = new WorkerFleet(ctx, controller, {
        agents,
        tenantName,
        globalNamespace: span === agents ? 'bookinfo' : undefined,
        workers,
      });
      await fleet.provision();
      const gnsIds =
        span === agents ? [fleet.globalNamespaceId as string] : await createFleetSpans(fleet, span);
      const spanLabel =
        (span === agents ? '1 GNS over all' : `${gnsIds.length} GNS of ${span} clusters`) +
        (change === 'service' ? ', one-service change' : '');
      const startedAt = Date.now();
      await fleet.start();
      ctx.log(
        `${agents} agents connected in ${Date.now() - startedAt} ms; waiting for the initial convergence`,
      );
      // Quiet for 5 s: the GNS CAs sign each cluster's intermediate after it joins, which changes
      // its desired state again a little later.
      await waitForFleetConvergence(ctx, fleet, 900_000, 5000);
      ctx.log(`converged after ${Date.now() - startedAt} ms`);

      const changes: ChangeMeasurement[] = [];
      const writePathBefore = await controller.histogram(WRITE_PATH_METRIC);
      // The clock V8 stamps profile samples with: with --cpu-prof, cpu-profile.js --from/--to reads these changes alone.
      const windowFrom = process.hrtime.bigint() / 1000n;
      for (let round = 0; round < rounds; round++) {
        changes.push(await measureOneChange(ctx, controller, fleet, gnsIds, round, change, span));
        await waitForFleetConvergence(ctx, fleet, 120_000, 1000);
      }
      const writePathAfter = await controller.histogram(WRITE_PATH_METRIC);
      ctx.log(
        `measured changes, for a profile: --from=${windowFrom} --to=${process.hrtime.bigint() / 1000n}`,
      );
      const storeSeconds = await controller.metric('lattice_desired_state_store_seconds_sum');
      const storeChunks = await controller.metric('lattice_desired_state_store_seconds_count');
      ctx.log(
        `snapshot store: ${storeChunks} chunks (one statement each), ${((storeSeconds / Math.max(1, storeChunks)) * 1000).toFixed(0)} ms each on average (whole run)`,
      );
      const samples = changes.flatMap((change) => change.latencies);
      const summary = summarize(samples);
      const label = `${agents} agents (${spanLabel})`;
      const load = machineLoad();
      ctx.record({
        metric: `GNS change -> ACK, ${label}, p50`,
        value: summary.p50,
        unit: 'ms',
        details: {
          ...summary,
          rounds,
          slowestAgentPerRoundMs: changes.map((change) => Math.max(...change.latencies)),
          putMs: changes.map((change) => change.putMs),
          meanStoreMsPerChunk: Math.round((storeSeconds / Math.max(1, storeChunks)) * 1000),
          load,
        },
      });
      ctx.record({
        metric: `GNS change -> ACK, ${label}, p99`,
        value: summary.p99,
        unit: 'ms',
        target: agents >= 1000 ? { op: '<', value: 500 } : { op: '<', value: 200 },
        details: { max: summary.max },
      });
      await recordCostPerChange(ctx, agents, label, changes);
      // An inventory change is no configuration write: the write path is measured on PUTs only.
      if (change === 'mtls')
        ctx.record({
          metric: `write path: request -> committed -> recomputation enqueued, p99 (${label}, ${rounds} changes)`,
          value: bucketQuantile(writePathAfter, writePathBefore, 0.99) * 1000,
          unit: 'ms (bucket bound)',
          target: { op: '<', value: 20 },
          details: { p50BucketMs: bucketQuantile(writePathAfter, writePathBefore, 0.5) * 1000 },
        });

      if (ctx.args['burst'] !== '0') await measureBurst(ctx, controller, fleet, gnsIds[0] as string, span);
      await fleet.stop();
    }
  },
};

interface ChangeMeasurement {
  latencies: number[];
  putMs: number;
  /** Until the last ACK. */
  wallMs: number;
  controllerCpuSeconds: number;
  workersCpuSeconds: number;
  snapshotBytes: number;
  controllerBytesWritten: number;
}

async function gnsSpec(fleet: WorkerFleet, gnsId: string) {
  const { gns, etag } = await fleet.api.getGlobalNamespace(gnsId);
  return {
    etag,
    spec: {
      name: gns.name,
      domain: gns.domain,
      description: gns.description,
      mtlsMode: gns.mtlsMode,
      matchConditions: gns.matchConditions,
    },
  };
}

const flip = (mode: string): string => (mode === 'STRICT' ? 'PERMISSIVE' : 'STRICT');

/** The service whose ready pods a `--change=service` change scales (every simulated cluster runs it). */
const SCALED_SERVICE = 'reviews';

/**
 * One change; per-agent ms from the change (the PUT, or the inventory change sent to the first
 * agent of each GNS) to the ACK of a newer version, and what it cost the controller.
 */
async function measureOneChange(
  ctx: BenchContext,
  controller: BenchController,
  fleet: WorkerFleet,
  gnsIds: string[],
  round: number,
  change: 'mtls' | 'service',
  span: number,
): Promise<ChangeMeasurement> {
  const specs = change === 'mtls' ? await Promise.all(gnsIds.map((id) => gnsSpec(fleet, id))) : [];
  const baselines = (await fleet.snapshot()).applied;
  const latencies = new Map<number, number>();
  const received = new Map<number, number>();
  let t0 = 0;
  const unsubscribe = [
    fleet.onAck((agent, version, atMs) => {
      if (t0 > 0 && version > (baselines[agent] as number) && !latencies.has(agent))
        latencies.set(agent, atMs - t0);
    }),
    fleet.onSnapshotReceived((agent, version, atMs) => {
      if (t0 > 0 && version > (baselines[agent] as number) && !received.has(agent))
        received.set(agent, atMs - t0);
    }),
  ];
  const bytesBefore = await controller.metric(SNAPSHOT_BYTES_METRIC);
  const writtenBefore = controller.bytesWritten();
  const cpuBefore = controller.cpuSeconds();
  const workersBefore = fleet.workersCpuSeconds();
  let putMs = 0;
  try {
    t0 = Date.now();
    if (change === 'service')
      // Simulated clusters run 1–3 ready pods per group: 4 + round always differs from the last.
      for (let group = 0; group < gnsIds.length; group++)
        fleet.scaleService(group * span, SCALED_SERVICE, 4 + round);
    else
      await Promise.all(
        specs.map(({ etag, spec }, i) =>
          fleet.api.updateGlobalNamespace(gnsIds[i] as string, etag, {
            ...spec,
            mtlsMode: flip(spec.mtlsMode),
            description: `round ${round}`,
          }),
        ),
      );
    putMs = Date.now() - t0;
    const deadline = Date.now() + 120_000;
    while (latencies.size < fleet.size) {
      if (Date.now() > deadline)
        throw new Error(`only ${latencies.size}/${fleet.size} agents acknowledged the change within 120 s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    for (const stop of unsubscribe) stop();
  }
  const wallMs = Date.now() - t0;
  const measurement: ChangeMeasurement = {
    latencies: [...latencies.values()],
    putMs,
    wallMs,
    controllerCpuSeconds: controller.cpuSeconds() - cpuBefore,
    workersCpuSeconds: fleet.workersCpuSeconds() - workersBefore,
    snapshotBytes: (await controller.metric(SNAPSHOT_BYTES_METRIC)) - bytesBefore,
    controllerBytesWritten: controller.bytesWritten() - writtenBefore,
  };
  const values = measurement.latencies;
  const pushed = summarize([...received.values()]);
  const applied = summarize([...latencies.entries()].map(([i, ack]) => ack - (received.get(i) ?? ack)));
  ctx.log(
    `round ${round}: PUT ${putMs} ms; ACK p50 ${summarize(values).p50} ms, max ${Math.max(...values)} ms; ` +
      `snapshot received p50 ${pushed.p50} ms, max ${pushed.max} ms; receive -> ACK p50 ${applied.p50} ms, max ${applied.max} ms; ` +
      `controller CPU ${measurement.controllerCpuSeconds.toFixed(2)} s, ${(measurement.snapshotBytes / 2 ** 20).toFixed(1)} MiB of snapshots; ` +
      `fleet CPU ${measurement.workersCpuSeconds.toFixed(2)} s`,
  );
  return measurement;
}

/** Controller CPU and bytes per change, and the same bytes through a minimal loopback writer. */
async function recordCostPerChange(
  ctx: BenchContext,
  agents: number,
  label: string,
  changes: ChangeMeasurement[],
): Promise<void> {
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const cpu = mean(changes.map((change) => change.controllerCpuSeconds));
  const bytes = mean(changes.map((change) => change.snapshotBytes));
  const written = mean(changes.map((change) => change.controllerBytesWritten));
  const fleetCpu = mean(changes.map((change) => change.workersCpuSeconds));
  const wall = mean(changes.map((change) => change.wallMs));
  const perAgent = Math.max(1, Math.round(bytes / agents));
  const floor = await measureLoopbackFloor(
    Math.min(agents, 1000),
    Array.from({ length: agents }, () => perAgent),
  );
  const ratio = floor.cpuSeconds > 0 ? cpu / floor.cpuSeconds : Number.POSITIVE_INFINITY;
  ctx.log(
    `${label}: per change the controller used ${(cpu * 1000).toFixed(0)} ms CPU and sent ${(bytes / 2 ** 20).toFixed(2)} MiB of snapshots ` +
      `(${(perAgent / 1024).toFixed(1)} KiB per agent; ${(written / 2 ** 20).toFixed(2)} MiB written in all); ` +
      `a loopback writer moved the same bytes with ${(floor.cpuSeconds * 1000).toFixed(0)} ms CPU in ${floor.wallMs.toFixed(0)} ms: ` +
      `controller / floor = ${ratio.toFixed(1)}x; the fleet workers used ${(fleetCpu * 1000).toFixed(0)} ms CPU`,
  );
  ctx.record({
    metric: `controller CPU per change, ${label}`,
    value: cpu * 1000,
    unit: 'ms',
    details: { wallMsUntilLastAck: Math.round(wall), fleetWorkersCpuMs: Math.round(fleetCpu * 1000) },
  });
  ctx.record({
    metric: `snapshot bytes sent per agent per change, ${label}`,
    value: perAgent / 1024,
    unit: 'KiB',
    target: { op: '<', value: 5 },
    details: {
      snapshotBytesPerChange: Math.round(bytes),
      controllerBytesWrittenPerChange: Math.round(written),
    },
  });
  ctx.record({
    metric: `controller CPU per change / loopback floor for the same bytes, ${label}`,
    value: ratio,
    unit: 'x',
    details: {
      floorCpuMs: Math.round(floor.cpuSeconds * 1000),
      floorWallMs: Math.round(floor.wallMs),
      floorConnections: floor.connections,
      floorBytes: floor.bytes,
    },
  });
}

/**
 * 100 edits spread over about one second (each PUT timed); counts snapshot pushes per agent until
 * the fleet converges, and checks that every agent ended on the last edit's mode.
 */
async function measureBurst(
  ctx: BenchContext,
  controller: BenchController,
  fleet: WorkerFleet,
  gnsId: string,
  span: number,
): Promise<void> {
  const before = (await fleet.snapshot()).snapshots;
  let { etag, spec } = await gnsSpec(fleet, gnsId);
  const initialMode = spec.mtlsMode;
  const writePathBefore: HistogramBuckets = await controller.histogram(WRITE_PATH_METRIC);
  const putMs: number[] = [];
  const started = Date.now();
  for (let edit = 1; edit <= 100; edit++) {
    // Even edits end on the flipped mode, so the final state differs from the initial one.
    const mtlsMode = edit % 2 === 0 ? flip(initialMode) : initialMode;
    const putStarted = performance.now();
    const updated = await fleet.api.updateGlobalNamespace(gnsId, etag, {
      ...spec,
      mtlsMode,
      description: `burst edit ${edit}`,
    });
    putMs.push(performance.now() - putStarted);
    etag = updated.etag;
    spec = { ...spec, mtlsMode };
    const wait = started + edit * 10 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  const editsMs = Date.now() - started;
  const writePathAfter = await controller.histogram(WRITE_PATH_METRIC);
  await waitForFleetConvergence(ctx, fleet, 120_000, 3000);
  const convergedAfterMs = Date.now() - started;
  const after = (await fleet.snapshot()).snapshots;
  // The agents of the edited GNS: the first `span` clusters.
  const pushes = summarize(
    Array.from({ length: span }, (_, i) => (after[i] as number) - (before[i] as number)),
  );
  // Correct final state: every member's stored (and, converged, applied) state has the last mode.
  const finalMode = flip(initialMode);
  const rows = await ctx.sql<{ n: string }>(
    `SELECT count(*) AS n FROM clusters
      WHERE tenant_id = $1 AND id = ANY($2::uuid[])
        AND convert_from(desired_payload, 'UTF8')::jsonb -> 'globalNamespaces' @> $3::jsonb`,
    [fleet.tenantId, fleet.clusterIds.slice(0, span), JSON.stringify([{ id: gnsId, mtlsMode: finalMode }])],
  );
  const onFinalMode = Number(rows[0]?.n ?? 0);
  ctx.log(
    `burst: 100 edits in ${editsMs} ms (PUT p50 ${percentile(putMs, 0.5).toFixed(0)} ms, p99 ${percentile(putMs, 0.99).toFixed(0)} ms), ` +
      `mean ${pushes.mean.toFixed(2)} pushes per agent, max ${pushes.max}; ${onFinalMode}/${span} agents on the final mode ${finalMode}`,
  );
  if (onFinalMode !== span)
    throw new Error(
      `after the burst only ${onFinalMode} of ${span} clusters have the final mode ${finalMode}`,
    );
  ctx.record({
    metric: `snapshots per agent for 100 edits in ${(editsMs / 1000).toFixed(1)} s, ${span} agents (max)`,
    value: pushes.max,
    unit: 'pushes',
    target: { op: '<=', value: 3 },
    details: { ...pushes, editsMs, convergedAfterMs, finalStateCorrect: true },
  });
  ctx.record({
    metric: `PUT latency during the burst of 100 edits, ${span} agents, p99`,
    value: percentile(putMs, 0.99),
    unit: 'ms',
    details: { p50: percentile(putMs, 0.5), max: Math.max(...putMs), editsMs },
  });
  ctx.record({
    metric: `write path during the burst: request -> committed -> enqueued, p99`,
    value: bucketQuantile(writePathAfter, writePathBefore, 0.99) * 1000,
    unit: 'ms (bucket bound)',
    target: { op: '<', value: 20 },
    details: { p50BucketMs: bucketQuantile(writePathAfter, writePathBefore, 0.5) * 1000 },
  });
}
