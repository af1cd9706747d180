import { ControllerApi } from '../apps/sim/src/controller-api.client';
import type { Benchmark, BenchContext } from './support/benchmark';
import type { BenchController } from './support/controller';
import { machineLoad } from './support/proc-stats';
import { TcpProxy } from './support/tcp-proxy';
import { FLEET_CONTROLLER_ENV, createFleetSpans, WorkerFleet } from './support/worker-fleet';

/**
 * Faults during config distribution, with the agents in worker processes behind a TCP proxy the
 * benchmark controls (their load balancer and network):
 *
 * - `kill`: `--kills` times (10), change every GNS and `kill -9` the controller 0-400 ms later
 *   (while it recomputes and pushes), start it again; measured from ready until every agent has
 *   applied its cluster's newest version; a lost update is a cluster whose stored state does not
 *   have the last committed mode, or an agent that never applies it.
 * - `replicas`: two controllers on one database and Redis; the proxy sends agents to the first
 *   that accepts; change every GNS and kill -9 the replica holding the streams: the agents move to
 *   the other and apply the change.
 * - `cut`: the proxy drops every connection for `--cut-seconds` (600) while `--cut-edits` (200)
 *   edits land; the agents keep their last applied config meanwhile; measured from the heal until
 *   every agent has applied the newest version.
 *
 * `--scenarios=kill,replicas,cut`, `--agents` (1,000), `--gns-span` (100).
 */
export const benchmark: Benchmark = {
  name: 'chaos',
  description:
    'kill -9 during a push (0 lost updates, converged < 60 s after restart); replica failover; agents cut off while edits land (converge < 30 s after the heal)',
  async run(ctx) {
    const scenarios = (ctx.args['scenarios'] ?? 'kill,replicas,cut').split(',');
    const agents = Number(ctx.args['agents'] ?? 1000);
    const span = Math.min(Number(ctx.args['gns-span'] ?? 100), agents);
    const workers = ctx.args['fleet-workers'] ? Number(ctx.args['fleet-workers']) : undefined;
    for (const scenario of scenarios) {
      if (!['kill', 'replicas', 'cut'].includes(scenario)) throw new Error(`unknown scenario ${scenario}`);
    }
    const primary = await ctx.startController({ env: FLEET_CONTROLLER_ENV });
    const replicas: BenchController[] = [primary];
    const proxy = new TcpProxy(() => replicas.map((replica) => replica.grpcAddress));
    await proxy.listen();
    ctx.onCleanup(() => proxy.close());
    const fleet = new WorkerFleet(ctx, primary, {
      agents,
      tenantName: 'chaos',
      controllerAddress: proxy.address,
      workers,
    });
    await fleet.provision();
    const gnsIds = await createFleetSpans(fleet, span);
    await fleet.start();
    await converged(ctx, fleet, gnsIds, span, 900_000);
    ctx.log(`${agents} agents in ${gnsIds.length} GNS of ${span} converged`);

    if (scenarios.includes('kill')) await killDuringPush(ctx, primary, fleet, gnsIds, span);
    if (scenarios.includes('replicas')) {
      // A replica of the same deployment: same database, Redis prefix and master key.
      const second = await ctx.startController({
        env: { ...FLEET_CONTROLLER_ENV, LATTICE_MASTER_KEY: primary.masterKey },
      });
      replicas.push(second);
      await failover(ctx, replicas, fleet, gnsIds, span);
    }
    // Edits go to a live replica's API (after the failover, the second one).
    const live = replicas[0] as BenchController;
    const api = new ControllerApi(live.baseUrl, fleet.planner.tenantToken as string);
    if (scenarios.includes('cut')) await cutOff(ctx, api, proxy, fleet, gnsIds, span);
    await fleet.stop();
  },
};

const flip = (mode: string): string => (mode === 'STRICT' ? 'PERMISSIVE' : 'STRICT');

/** Flips every GNS's mode (parallel PUTs); returns the mode each GNS now has. */
async function changeAll(api: ControllerApi, gnsIds: string[], note: string): Promise<Map<string, string>> {
  const modes = new Map<string, string>();
  await Promise.all(
    gnsIds.map(async (id) => {
      const { gns, etag } = await api.getGlobalNamespace(id);
      const mtlsMode = flip(gns.mtlsMode);
      await api.updateGlobalNamespace(id, etag, {
        name: gns.name,
        domain: gns.domain,
        description: note,
        mtlsMode,
        matchConditions: gns.matchConditions,
      });
      modes.set(id, mtlsMode);
    }),
  );
  return modes;
}

interface Convergence {
  /** Clusters whose stored desired state lacks its GNS's committed mode. */
  storedWrong: number;
  /** Agents not on their cluster's desired version. */
  behind: number;
}

/** Where the fleet stands against the committed modes (per GNS) and the stored versions. */
async function standing(
  ctx: BenchContext,
  fleet: WorkerFleet,
  gnsIds: string[],
  span: number,
  modes?: Map<string, string>,
): Promise<Convergence> {
  const rows = await ctx.sql<{ id: string; desired_version: number; payload: string | null }>(
    `SELECT id::text AS id, desired_version, convert_from(desired_payload, 'UTF8') AS payload
       FROM clusters WHERE tenant_id = $1`,
    [fleet.tenantId],
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  const { applied } = await fleet.snapshot();
  let storedWrong = 0;
  let behind = 0;
  fleet.clusterIds.forEach((clusterId, i) => {
    const row = byId.get(clusterId);
    if (!row || applied[i] !== Number(row.desired_version)) behind += 1;
    const gnsId = gnsIds[Math.floor(i / span)] as string;
    const expected = modes?.get(gnsId);
    if (expected && row) {
      const state = JSON.parse(row.payload ?? '{}') as {
        globalNamespaces?: { id: string; mtlsMode: string }[];
      };
      if (state.globalNamespaces?.find((gns) => gns.id === gnsId)?.mtlsMode !== expected) storedWrong += 1;
    }
  });
  return { storedWrong, behind };
}

/** Resolves with ms until every agent applied a state with the committed modes; throws on timeout. */
async function converged(
  ctx: BenchContext,
  fleet: WorkerFleet,
  gnsIds: string[],
  span: number,
  timeoutMs: number,
  modes?: Map<string, string>,
): Promise<number> {
  const started = Date.now();
  let last: Convergence = { storedWrong: -1, behind: -1 };
  while (Date.now() - started < timeoutMs) {
    last = await standing(ctx, fleet, gnsIds, span, modes);
    if (last.storedWrong === 0 && last.behind === 0) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `not converged within ${timeoutMs} ms: ${last.storedWrong} clusters without the committed change, ${last.behind} agents behind`,
  );
}

async function killDuringPush(
  ctx: BenchContext,
  controller: BenchController,
  fleet: WorkerFleet,
  gnsIds: string[],
  span: number,
): Promise<void> {
  const kills = Number(ctx.args['kills'] ?? 10);
  const afterRestart: number[] = [];
  let lost = 0;
  for (let kill = 0; kill < kills; kill++) {
    const modes = await changeAll(fleet.api, gnsIds, `kill ${kill}`);
    await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 400)));
    await controller.stop('SIGKILL');
    const restartedAt = Date.now();
    await controller.start();
    const readyAt = Date.now();
    try {
      afterRestart.push(await converged(ctx, fleet, gnsIds, span, 120_000, modes));
    } catch (error) {
      lost += 1;
      ctx.log(`kill ${kill}: ${(error as Error).message}`);
      afterRestart.push(Number.POSITIVE_INFINITY);
      await converged(ctx, fleet, gnsIds, span, 300_000, modes).catch(() => undefined);
    }
    ctx.log(
      `kill ${kill}: restarted in ${readyAt - restartedAt} ms; every agent on the newest version ${afterRestart.at(-1)} ms after ready`,
    );
  }
  ctx.record({
    metric: `kill -9 during a push, ${fleet.size} agents, ${kills} times: lost updates`,
    value: lost,
    unit: 'updates',
    target: { op: '<=', value: 0 },
    details: { load: machineLoad() },
  });
  ctx.record({
    metric: `kill -9 during a push, ${fleet.size} agents: every agent on the newest version after restart (slowest of ${kills})`,
    value: Math.max(...afterRestart),
    unit: 'ms',
    target: { op: '<', value: 60_000 },
    details: { perKillMs: afterRestart },
  });
}

async function failover(
  ctx: BenchContext,
  replicas: BenchController[],
  fleet: WorkerFleet,
  gnsIds: string[],
  span: number,
): Promise<void> {
  const [holder, other] = replicas as [BenchController, BenchController];
  const held = await holder.metric('lattice_connected_agents');
  const modes = await changeAll(fleet.api, gnsIds, 'failover');
  await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 400)));
  await holder.stop('SIGKILL');
  replicas.shift(); // the proxy no longer tries it
  const killedAt = Date.now();
  let ms = Number.POSITIVE_INFINITY;
  let lost = 0;
  try {
    ms = await converged(ctx, fleet, gnsIds, span, 120_000, modes);
  } catch (error) {
    lost = 1;
    ctx.log(`failover: ${(error as Error).message}`);
  }
  const moved = await other.metric('lattice_connected_agents');
  ctx.log(
    `failover: ${held} streams on the killed replica; ${moved} on the other ${Date.now() - killedAt} ms later`,
  );
  ctx.record({
    metric: `two replicas, the one holding ${held} streams killed: every agent on the newest version`,
    value: ms,
    unit: 'ms',
    details: { lostUpdates: lost, streamsOnSurvivor: moved, load: machineLoad() },
  });
}

async function cutOff(
  ctx: BenchContext,
  api: ControllerApi,
  proxy: TcpProxy,
  fleet: WorkerFleet,
  gnsIds: string[],
  span: number,
): Promise<void> {
  const cutSeconds = Number(ctx.args['cut-seconds'] ?? 600);
  const edits = Number(ctx.args['cut-edits'] ?? 200);
  const before = await fleet.snapshot();
  proxy.cut();
  const cutAt = Date.now();
  let modes = new Map<string, string>();
  for (let edit = 0; edit < edits; edit++) {
    const gnsId = gnsIds[edit % gnsIds.length] as string;
    const changed = await changeAll(api, [gnsId], `cut edit ${edit}`);
    modes = new Map([...modes, ...changed]);
    const due = cutAt + ((edit + 1) * cutSeconds * 1000) / (edits + 1);
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  const remaining = cutAt + cutSeconds * 1000 - Date.now();
  if (remaining > 0) await new Promise((resolve) => setTimeout(resolve, remaining));
  const during = await fleet.snapshot();
  // Cut off, the agents kept what they had applied (nothing newer could reach them, nothing was dropped).
  const kept = during.applied.filter((version, i) => version === before.applied[i]).length;
  proxy.heal();
  const ms = await converged(ctx, fleet, gnsIds, span, 300_000, modes).catch((error: Error) => {
    ctx.log(`cut: ${error.message}`);
    return Number.POSITIVE_INFINITY;
  });
  ctx.log(
    `cut: ${kept}/${fleet.size} agents kept their last config for ${cutSeconds} s; converged ${ms} ms after the heal`,
  );
  ctx.record({
    metric: `${fleet.size} agents cut off ${cutSeconds} s while ${edits} edits landed: converged after the heal`,
    value: ms,
    unit: 'ms',
    target: { op: '<', value: 30_000 },
    details: { agentsKeptLastConfig: kept, load: machineLoad() },
  });
}
