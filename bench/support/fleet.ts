import path from 'node:path';
import { projectRoot } from '@lattice/platform';
import { FleetSimulator, type FleetOptions } from '../../apps/sim/src/fleet-simulator.service';
import type { BenchContext } from './benchmark';
import type { BenchController } from './controller';

/** A simulated fleet against a bench controller, with a tenant of its own; stopped at cleanup. */
export function benchFleet(
  ctx: BenchContext,
  controller: BenchController,
  options: Partial<FleetOptions> & { agents: number; tenantName: string },
): FleetSimulator {
  const fleet = new FleetSimulator(
    {
      controllerAddress: controller.grpcAddress,
      apiUrl: controller.baseUrl,
      operatorToken: controller.operatorToken,
      clusterPrefix: options.tenantName,
      inventory: { services: 4, extraNamespaces: 1, seed: 1 },
      telemetry: { intervalMs: 0, requestsPerSecond: 10, minutesPerReport: 0, backfillMinutes: 60 },
      heartbeatMs: 10_000,
      keyPoolSize: options.agents,
      keyCacheDirectory: path.join(projectRoot(), '.data/sim-keys'),
      connectConcurrency: 50,
      globalNamespace: undefined,
      keepObjects: false,
      logLevel: 'error',
      ...options,
    },
    (message) => ctx.log(message),
  );
  ctx.onCleanup(() => fleet.stop());
  return fleet;
}

/** Resolves when every agent has applied its cluster's desired version and nothing changed for `quietMs`. */
export async function waitForConvergence(
  ctx: BenchContext,
  fleet: FleetSimulator,
  timeoutMs: number,
  quietMs = 2000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let stableSince = 0;
  let last = '';
  for (;;) {
    const rows = await ctx.sql<{ id: string; desired_version: number | null }>(
      'SELECT id, desired_version FROM clusters WHERE tenant_id = $1',
      [fleet.tenantId],
    );
    const desired = new Map(rows.map((row) => [row.id, Number(row.desired_version ?? 0)]));
    const behind = fleet.agents.filter(
      (agent) => agent.store.appliedVersion !== desired.get(agent.clusterId),
    );
    const fingerprint = rows
      .map((row) => `${row.id}:${row.desired_version}`)
      .sort()
      .join(',');
    if (behind.length === 0 && fingerprint === last) {
      if (Date.now() - stableSince >= quietMs) return;
    } else {
      stableSince = Date.now();
      last = fingerprint;
    }
    if (Date.now() > deadline)
      throw new Error(`fleet did not converge: ${behind.length} agents behind their desired version`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** GNS i matches the clusters whose index starts with i (as zero-padded digits): `span` clusters each. */
export async function createSpans(
  fleet: FleetSimulator,
  prefix: string,
  agents: number,
  span: number,
): Promise<string[]> {
  const digits = 5 - Math.log10(span);
  const ids: string[] = [];
  for (let group = 0; group < agents / span; group++) {
    const gns = await fleet.api.createGlobalNamespace({
      name: `bookinfo-${group}`,
      domain: `bookinfo-${group}.lattice.sim`,
      matchConditions: [
        {
          cluster: { type: 'PREFIX', value: `${prefix}-${String(group).padStart(digits, '0')}` },
          namespace: { type: 'EXACT', value: 'bookinfo' },
        },
      ],
    });
    ids.push(gns.id);
  }
  return ids;
}
