import type { FleetSimulator } from '../apps/sim/src/fleet-simulator';
import type { Benchmark, BenchContext } from './support/benchmark';
import type { BenchController } from './support/controller';
import { benchFleet, waitForConvergence } from './support/fleet';
import { summarize } from './support/stats';

/**
 * A Global Namespace spans the whole fleet (every cluster's bookinfo namespace); changing its mTLS
 * mode changes every cluster's desired state. Measured per agent: from just before the PUT to the
 * agent's ACK of a newer version (the agent has rendered and applied it by then). Then a burst of
 * 100 edits in about one second, counting the snapshots each agent receives.
 */
export const benchmark: Benchmark = {
  name: 'convergence',
  description: 'GNS change -> ACK from every agent (100 and 1,000 agents); pushes per agent for 100 edits in 1 s',
  async run(ctx) {
    const sizes = (ctx.args['agents'] ?? '100,1000').split(',').map(Number);
    const rounds = Number(ctx.args['rounds'] ?? 5);
    const controller = await ctx.startController();
    for (const agents of sizes) {
      const fleet = benchFleet(ctx, controller, {
        agents,
        tenantName: `conv-${agents}`,
        globalNamespace: 'bookinfo',
      });
      await fleet.provision();
      const startedAt = Date.now();
      await fleet.start();
      ctx.log(`${agents} agents connected in ${Date.now() - startedAt} ms; waiting for the initial convergence`);
      await waitForConvergence(ctx, fleet, 300_000);
      ctx.log(`converged after ${Date.now() - startedAt} ms`);

      const samples: number[] = [];
      const perRound: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const latencies = await measureOneChange(ctx, controller, fleet, round);
        samples.push(...latencies);
        perRound.push(Math.max(...latencies));
        await waitForConvergence(ctx, fleet, 120_000, 1000);
      }
      const summary = summarize(samples);
      ctx.record({
        metric: `GNS change -> ACK, ${agents} agents, p50`,
        value: summary.p50,
        unit: 'ms',
        details: { ...summary, rounds, slowestAgentPerRoundMs: perRound },
      });
      ctx.record({
        metric: `GNS change -> ACK, ${agents} agents, p99`,
        value: summary.p99,
        unit: 'ms',
        target: agents >= 1000 ? { op: '<', value: 500 } : undefined,
        details: { max: summary.max },
      });

      const burst = await measureBurst(ctx, fleet);
      ctx.record({
        metric: `snapshots per agent for 100 edits in ${(burst.editsMs / 1000).toFixed(1)} s, ${agents} agents (mean)`,
        value: burst.pushes.mean,
        unit: 'pushes',
        details: { ...burst.pushes, editsMs: burst.editsMs, convergedAfterMs: burst.convergedAfterMs },
      });
      ctx.record({
        metric: `snapshots per agent for 100 edits, ${agents} agents (max)`,
        value: burst.pushes.max,
        unit: 'pushes',
      });
      await fleet.stop();
    }
  },
};

async function gnsSpec(ctx: BenchContext, fleet: FleetSimulator) {
  const { gns, etag } = await fleet.api.getGlobalNamespace(fleet.globalNamespaceId as string);
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

/** One change; per-agent ms from the PUT to the ACK of a newer version. */
async function measureOneChange(
  ctx: BenchContext,
  _controller: BenchController,
  fleet: FleetSimulator,
  round: number,
): Promise<number[]> {
  const { etag, spec } = await gnsSpec(ctx, fleet);
  const latencies = new Map<number, number>();
  const baselines = fleet.agents.map((agent) => agent.store.appliedVersion);
  let t0 = 0;
  const unsubscribe = fleet.agents.map((agent, i) =>
    agent.transport.onAck((version, atMs) => {
      if (t0 > 0 && version > (baselines[i] as number) && !latencies.has(i)) latencies.set(i, atMs - t0);
    }),
  );
  try {
    t0 = Date.now();
    await fleet.api.updateGlobalNamespace(fleet.globalNamespaceId as string, etag, {
      ...spec,
      mtlsMode: flip(spec.mtlsMode),
      description: `round ${round}`,
    });
    const deadline = Date.now() + 120_000;
    while (latencies.size < fleet.agents.length) {
      if (Date.now() > deadline)
        throw new Error(`only ${latencies.size}/${fleet.agents.length} agents acknowledged the change within 120 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    for (const stop of unsubscribe) stop();
  }
  const values = [...latencies.values()];
  ctx.log(`round ${round}: p50 ${summarize(values).p50} ms, max ${Math.max(...values)} ms`);
  return values;
}

/** 100 edits spread over about one second; counts snapshot pushes per agent until the fleet converges. */
async function measureBurst(ctx: BenchContext, fleet: FleetSimulator) {
  const before = fleet.agents.map((agent) => agent.transport.counters.snapshotsReceived);
  let { etag, spec } = await gnsSpec(ctx, fleet);
  const initialMode = spec.mtlsMode;
  const started = Date.now();
  for (let edit = 1; edit <= 100; edit++) {
    // Even edits end on the flipped mode, so the final state differs from the initial one.
    const mtlsMode = edit % 2 === 0 ? flip(initialMode) : initialMode;
    const updated = await fleet.api.updateGlobalNamespace(fleet.globalNamespaceId as string, etag, {
      ...spec,
      mtlsMode,
      description: `burst edit ${edit}`,
    });
    etag = updated.etag;
    spec = { ...spec, mtlsMode };
    const due = started + edit * 10;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  const editsMs = Date.now() - started;
  await waitForConvergence(ctx, fleet, 120_000, 3000);
  const convergedAfterMs = Date.now() - started;
  const pushes = summarize(fleet.agents.map((agent, i) => agent.transport.counters.snapshotsReceived - (before[i] as number)));
  ctx.log(`burst: 100 edits in ${editsMs} ms, mean ${pushes.mean.toFixed(2)} pushes per agent, max ${pushes.max}`);
  return { pushes, editsMs, convergedAfterMs };
}
