import type { Benchmark, BenchContext } from './support/benchmark';
import { BENCH_REDIS_URL } from './support/environment';
import {
  loadAverage,
  startFloorServer,
  startFlood,
  type FloodOptions,
  type FloodResult,
} from './support/flood';
import { processCpuSeconds, processRssBytes } from './support/proc-stats';
import { percentile } from './support/stats';

/**
 * `/healthz` and a legitimate GraphQL query while a second process floods `/graphql` (issue 17 #1).
 *
 * The legitimate client (this process, 127.0.0.1) samples at a steady pace — a dashboard, not a
 * load generator — so its token stays within its per-minute budget: every SAMPLE_INTERVAL_MS one
 * `/healthz` and then one query. The attacker (bench/support/flood.ts) is another process sending
 * from 127.0.0.2, so per-address limits apply to it as they would in production. Each flood shape
 * runs against the controller and then, in the same run, against the floor (a minimal Node server
 * that only sheds), so the table separates what the machine costs from what the controller costs.
 *
 * The idle baseline (warm-up first) is taken before and again after the floods, same pace, same
 * query, and pooled, so a change in the machine's background load during the run does not decide
 * the result either way.
 *
 * Flags: --seconds=30 (each flood), --idle-seconds=30 (each idle phase), --concurrency=8 (closed loop),
 * --anonymous-per-second=32.5 (open loop; 650 over the review's 20 s), --connections-per-second=N
 * (sets the controller's LATTICE_CONNECTIONS_PER_SECOND_PER_IP; unset, it keeps its default, off).
 */
const SAMPLE_INTERVAL_MS = 100;
const LEGITIMATE_QUERY = '{ clusters(first: 20) { nodes { id name } } }';
const ATTACKER_ADDRESS = '127.0.0.2';

interface Samples {
  fast: number[]; // /healthz (controller) or the floor's constant answer
  slow: number[]; // the legitimate GraphQL query (controller) or the floor's /deps
}

export const benchmark: Benchmark = {
  name: 'abuse',
  description: `/healthz and a legitimate GraphQL query while a second process (another address) floods /graphql, with the machine's floor`,
  async run(ctx) {
    const floodSeconds = Number(ctx.args.seconds ?? 30);
    const idleSeconds = Number(ctx.args['idle-seconds'] ?? 30);
    const concurrency = Number(ctx.args.concurrency ?? 8);
    const anonymousPerSecond = Number(ctx.args['anonymous-per-second'] ?? 32.5);

    const connectionsPerSecond = ctx.args['connections-per-second'];
    // The legitimate client sends 600 queries a minute; its budget must hold them.
    const controller = await ctx.startController({
      env: {
        LATTICE_RATE_LIMIT_PER_MINUTE: '1000',
        ...(connectionsPerSecond ? { LATTICE_CONNECTIONS_PER_SECOND_PER_IP: connectionsPerSecond } : {}),
      },
    });
    const tenant = await ctx.createTenant('abuse');
    const attacker = tenant.adminToken;
    const user = (
      (await controller.request('POST', `/v1/tokens`, {
        token: tenant.adminToken,
        body: { name: 'dashboard', role: 'viewer' },
      })) as { json: { token: string } }
    ).json.token;
    const graphqlOk = async () => {
      const answer = (await controller.graphql(user, LEGITIMATE_QUERY)) as { errors?: unknown };
      if (answer.errors) throw new Error(`legitimate query failed: ${JSON.stringify(answer.errors)}`);
    };
    const fetchOk = async (url: string) => {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    };
    const controllerProbe = {
      fast: () => fetchOk(`${controller.baseUrl}/healthz`),
      slow: graphqlOk,
    };

    const floor = await startFloorServer(ctx.databaseUrl, BENCH_REDIS_URL, process.cwd());
    ctx.onCleanup(() => floor.stop());
    const floorProbe = {
      fast: () => fetchOk(`${floor.baseUrl}/healthz`),
      slow: () => fetchOk(`${floor.baseUrl}/deps`),
    };

    const flood = (baseUrl: string, shape: FloodOptions['shape']) =>
      startFlood({
        url: `${baseUrl}/graphql`,
        token: attacker,
        shape,
        seconds: floodSeconds,
        concurrency,
        anonymousPerSecond,
        localAddress: ATTACKER_ADDRESS,
      });

    const results: Record<string, PhaseResult> = {};
    for (const [target, probe, pid] of [
      ['controller', controllerProbe, controller.pid!],
      ['floor', floorProbe, floor.pid],
    ] as const) {
      ctx.log(`${target}: warm-up, then ${idleSeconds} s idle`);
      await sample(probe, 5_000);
      results[`${target} idle`] = await phase(ctx, pid, probe, idleSeconds * 1000);
      for (const shape of ['closed', 'open'] as const) {
        // Let the previous phase's connections and queues drain.
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        ctx.log(`${target}: ${shape}-loop flood from ${ATTACKER_ADDRESS} for ${floodSeconds} s`);
        const running = flood(target === 'controller' ? controller.baseUrl : floor.baseUrl, shape);
        await new Promise((resolve) => setTimeout(resolve, 1_000)); // the flood under way
        const measured = phase(ctx, pid, probe, (floodSeconds - 2) * 1000);
        const [result, flooded] = await Promise.all([measured, running.done]);
        results[`${target} ${shape}`] = { ...result, flood: flooded };
      }
      // Idle again: the machine is shared, so the baseline is taken on both sides of the floods.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      ctx.log(`${target}: ${idleSeconds} s idle again`);
      results[`${target} idle after`] = await phase(ctx, pid, probe, idleSeconds * 1000);
    }

    const p99 = (samples: number[]) => round(percentile(samples, 0.99));
    const idleOf = (target: string): PhaseResult => {
      const before = results[`${target} idle`]!;
      const after = results[`${target} idle after`]!;
      return {
        ...before,
        samples: {
          fast: [...before.samples.fast, ...after.samples.fast],
          slow: [...before.samples.slow, ...after.samples.slow],
        },
        cpuMs: before.cpuMs + after.cpuMs,
        wallMs: before.wallMs + after.wallMs,
        maxRssBytes: Math.max(before.maxRssBytes, after.maxRssBytes),
        loadBefore: `${before.loadBefore} / ${after.loadBefore}`,
        idleP99s: [p99(before.samples.slow), p99(after.samples.slow)],
      };
    };
    const idle = idleOf('controller');
    const floorIdle = idleOf('floor');
    ctx.record({
      metric: 'legitimate GraphQL query p99, idle (before and after the floods)',
      value: p99(idle.samples.slow),
      unit: 'ms',
      details: {
        samples: idle.samples.slow.length,
        p50: p99Of(idle.samples.slow, 0.5),
        beforeAndAfterP99: idle.idleP99s,
        healthzP99: p99(idle.samples.fast),
        loadBefore: idle.loadBefore,
        floorTrivialP99: p99(floorIdle.samples.fast),
        floorDepsP99: p99(floorIdle.samples.slow),
        floorDepsBeforeAndAfterP99: floorIdle.idleP99s,
      },
    });
    for (const shape of ['closed', 'open'] as const) {
      const under = results[`controller ${shape}`]!;
      const floorUnder = results[`floor ${shape}`]!;
      const common = {
        samples: under.samples.slow.length,
        idleSamples: idle.samples.slow.length,
        loadBefore: under.loadBefore,
        idleLoadBefore: idle.loadBefore,
      };
      ctx.record({
        metric: `/healthz p99, ${shape}-loop flood`,
        value: p99(under.samples.fast),
        unit: 'ms',
        target: { op: '<', value: 50 },
        details: {
          ...common,
          idleP99: p99(idle.samples.fast),
          p50: p99Of(under.samples.fast, 0.5),
          floorIdleP99: p99(floorIdle.samples.fast),
          floorUnderFloodP99: p99(floorUnder.samples.fast),
        },
      });
      ctx.record({
        metric: `legitimate GraphQL query p99, ${shape}-loop flood`,
        value: p99(under.samples.slow),
        unit: 'ms',
        target: { op: '<', value: round(2 * percentile(idle.samples.slow, 0.99)) },
        details: {
          ...common,
          idleP99: p99(idle.samples.slow),
          idleP50: p99Of(idle.samples.slow, 0.5),
          p50: p99Of(under.samples.slow, 0.5),
          floorDepsIdleP99: p99(floorIdle.samples.slow),
          floorDepsUnderFloodP99: p99(floorUnder.samples.slow),
        },
      });
      ctx.record({
        metric: `floor: trivial request p99, ${shape}-loop flood`,
        value: p99(floorUnder.samples.fast),
        unit: 'ms',
        details: { idleP99: p99(floorIdle.samples.fast), loadBefore: floorUnder.loadBefore },
      });
      ctx.record({
        metric: `floor: PostgreSQL+Redis request p99, ${shape}-loop flood`,
        value: p99(floorUnder.samples.slow),
        unit: 'ms',
        details: {
          idleP99: p99(floorIdle.samples.slow),
          ratioToIdle: round(
            percentile(floorUnder.samples.slow, 0.99) / percentile(floorIdle.samples.slow, 0.99),
          ),
        },
      });
      ctx.record({
        metric: `controller CPU during ${shape}-loop flood`,
        value: round((under.cpuMs / under.wallMs) * 100),
        unit: '% of one core',
        details: {
          cpuMs: round(under.cpuMs),
          wallMs: round(under.wallMs),
          idleCpuPercent: round((idle.cpuMs / idle.wallMs) * 100),
          floorCpuPercent: round((floorUnder.cpuMs / floorUnder.wallMs) * 100),
          maxRssMiB: round(under.maxRssBytes / 2 ** 20),
          idleMaxRssMiB: round(idle.maxRssBytes / 2 ** 20),
        },
      });
      ctx.record({
        metric: `flood requests sent, ${shape}-loop (controller)`,
        value: under.flood!.sent,
        unit: 'requests',
        details: { ...under.flood, floor: floorUnder.flood },
      });
    }
  },
};

interface PhaseResult {
  samples: Samples;
  cpuMs: number;
  wallMs: number;
  maxRssBytes: number;
  loadBefore: string;
  flood?: FloodResult;
  /** For the combined idle baseline: the legitimate p99 before and after the floods. */
  idleP99s?: number[];
}

/** Samples for `durationMs` while recording the server process's CPU time and peak RSS. */
async function phase(
  ctx: BenchContext,
  pid: number,
  probe: { fast: () => Promise<void>; slow: () => Promise<void> },
  durationMs: number,
): Promise<PhaseResult> {
  const loadBefore = loadAverage();
  ctx.log(`load average before: ${loadBefore}`);
  let maxRssBytes = processRssBytes(pid);
  const rss = setInterval(() => (maxRssBytes = Math.max(maxRssBytes, processRssBytes(pid))), 250);
  const cpuBefore = processCpuSeconds(pid) * 1000;
  const started = performance.now();
  try {
    const samples = await sample(probe, durationMs);
    return {
      samples,
      cpuMs: processCpuSeconds(pid) * 1000 - cpuBefore,
      wallMs: performance.now() - started,
      maxRssBytes,
      loadBefore,
    };
  } finally {
    clearInterval(rss);
  }
}

/** Every SAMPLE_INTERVAL_MS: time one `fast` and then one `slow` request, for `durationMs`. */
async function sample(
  probe: { fast: () => Promise<void>; slow: () => Promise<void> },
  durationMs: number,
): Promise<Samples> {
  const samples: Samples = { fast: [], slow: [] };
  const started = performance.now();
  for (let tick = 0; ; tick++) {
    const at = started + tick * SAMPLE_INTERVAL_MS;
    if (at - started >= durationMs) break;
    const wait = at - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    let begun = performance.now();
    await probe.fast();
    samples.fast.push(performance.now() - begun);
    begun = performance.now();
    await probe.slow();
    samples.slow.push(performance.now() - begun);
  }
  return samples;
}

function p99Of(samples: number[], p: number): number {
  return round(percentile(samples, p));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
