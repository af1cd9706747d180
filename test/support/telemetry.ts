import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { DDSketch, packSketch, type SketchJSON } from '@lattice/domain';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** Latencies whose exact quantiles are easy to state: `count` values spread evenly over [low, high]. */
export function evenLatencies(count: number, low: number, high: number): number[] {
  return Array.from({ length: count }, (_, index) => low + ((high - low) * index) / Math.max(count - 1, 1));
}

export function sketchOf(latencies: readonly number[]): SketchJSON {
  const sketch = new DDSketch();
  for (const latency of latencies) sketch.add(latency);
  return sketch.toJSON();
}

/** The exact lower quantile the sketch promises to be within 1 % of. */
export function exactQuantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))] ?? Number.NaN;
}

export interface TelemetryRowSpec {
  tenantId: string;
  clusterId: string;
  at: number;
  sourceNamespace?: string;
  sourceService: string;
  destinationNamespace?: string;
  destinationService: string;
  requests: number;
  errors: number;
  latencies: readonly number[];
}

/** Writes minute rows straight into PostgreSQL, as the ingest would (for tests of the read side). */
export async function seedMinuteRows(client: Client, rows: readonly TelemetryRowSpec[]): Promise<void> {
  for (const row of rows) {
    await client.query(
      `INSERT INTO telemetry_minutes (tenant_id, cluster_id, minute, source_namespace, source_service, destination_namespace,
         destination_service, requests, errors, sketch)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        row.tenantId,
        row.clusterId,
        new Date(row.at),
        row.sourceNamespace ?? 'shop',
        row.sourceService,
        row.destinationNamespace ?? 'shop',
        row.destinationService,
        row.requests,
        row.errors,
        packSketch(sketchOf(row.latencies)),
      ],
    );
  }
}

export interface SeededCluster {
  id: string;
  name: string;
}

export async function seedCluster(
  client: Client,
  tenantId: string,
  name: string,
  connection: {
    firstConnectedAt?: Date;
    connectionId?: string;
    lastSeenAt?: Date;
    agentVersion?: string;
  } = {},
): Promise<SeededCluster> {
  const id = randomUUID();
  await client.query(
    `INSERT INTO clusters (id, tenant_id, name, first_connected_at, connection_id, last_seen_at, agent_version, desired_version, applied_version, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 3, 2, now())`,
    [
      id,
      tenantId,
      name,
      connection.firstConnectedAt ?? null,
      connection.connectionId ?? null,
      connection.lastSeenAt ?? null,
      connection.agentVersion ?? null,
    ],
  );
  return { id, name };
}

export async function seedGlobalNamespace(
  client: Client,
  tenantId: string,
  name: string,
  members: readonly { cluster: string; namespace: string }[],
): Promise<string> {
  const id = randomUUID();
  const matchConditions = members.map((member) => ({
    cluster: { type: 'EXACT', value: member.cluster },
    namespace: { type: 'EXACT', value: member.namespace },
  }));
  await client.query(
    `INSERT INTO global_namespaces (id, tenant_id, name, domain, match_conditions, updated_at) VALUES ($1, $2, $3, $4, $5, now())`,
    [id, tenantId, name, `${name}.lattice.local`, JSON.stringify(matchConditions)],
  );
  return id;
}
