import { Injectable } from '@nestjs/common';
import {
  type ClusterCondition,
  type MeshInstallation,
  meshInstallationSchema,
  setCondition,
  storedConditionsJson,
  parseStoredConditions,
} from '@lattice/domain';
import { Prisma } from '../../generated/prisma/client';
import { PrismaService } from '../../platform/database/prisma.service';

/** A cluster's reported installation as stored. */
export interface StoredInstallation {
  clusterId: string;
  installation: MeshInstallation | null;
  reportedAt: Date | null;
}

/** The Istio installations agents report, and the MeshReady condition (clusters table; tenant-scoped). */
@Injectable()
export class MeshDiagnosticsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Stores a cluster's reported installation when it differs from the stored one (the agent sends
   * it on every connection). Returns whether it changed; false for a cluster not on record.
   */
  async recordInstallation(
    tenantId: string,
    clusterId: string,
    installation: MeshInstallation,
    now: Date,
  ): Promise<boolean> {
    const json = JSON.stringify(installation);
    const updated = await this.prisma.$executeRaw(Prisma.sql`
      UPDATE clusters SET mesh_installation = ${json}::jsonb, mesh_installation_at = ${now}
       WHERE tenant_id = ${tenantId}::uuid AND id = ${clusterId}::uuid
         AND (mesh_installation IS NULL OR mesh_installation <> ${json}::jsonb)`);
    return updated > 0;
  }

  /** Every cluster's stored installation (null when its agent never reported one). */
  async installations(tenantId: string): Promise<Map<string, StoredInstallation>> {
    const rows = await this.prisma.cluster.findMany({
      where: { tenantId },
      select: { id: true, meshInstallation: true, meshInstallationAt: true },
    });
    return new Map(
      rows.map((row) => [
        row.id,
        {
          clusterId: row.id,
          installation: decodeInstallation(row.meshInstallation),
          reportedAt: row.meshInstallationAt,
        },
      ]),
    );
  }

  /** One cluster's stored installation; null when the tenant has no such cluster. */
  async installationOf(tenantId: string, clusterId: string): Promise<StoredInstallation | null> {
    const row = await this.prisma.cluster.findFirst({
      where: { tenantId, id: clusterId },
      select: { id: true, meshInstallation: true, meshInstallationAt: true },
    });
    if (!row) return null;
    return {
      clusterId: row.id,
      installation: decodeInstallation(row.meshInstallation),
      reportedAt: row.meshInstallationAt,
    };
  }

  /**
   * Sets MeshReady of many clusters: one read, and one compare-and-set write of the clusters whose
   * condition changes (a refresh after a change of a 1,000-cluster fleet usually changes none, and
   * was a locked transaction per cluster). A cluster whose conditions another writer changed in
   * between is set again under its row lock.
   */
  async setMeshReadyMany(
    tenantId: string,
    conditions: ReadonlyMap<string, Omit<ClusterCondition, 'lastTransitionTime'>>,
    now: Date,
  ): Promise<void> {
    if (conditions.size === 0) return;
    const rows = await this.prisma.$queryRaw<{ id: string; conditions: unknown; conditions_text: string }[]>(
      Prisma.sql`
      SELECT id::text AS id, conditions, conditions::text AS conditions_text FROM clusters
       WHERE tenant_id = ${tenantId}::uuid AND id = ANY(${[...conditions.keys()]}::uuid[])`,
    );
    const changes: { id: string; before: string; after: string }[] = [];
    for (const row of rows) {
      const current = parseStoredConditions(row.conditions);
      const next = setCondition(current, conditions.get(row.id)!, now);
      const after = storedConditionsJson(next);
      if (after !== storedConditionsJson(current))
        changes.push({ id: row.id, before: row.conditions_text, after });
    }
    if (changes.length === 0) return;
    const updated = await this.prisma.$queryRaw<{ id: string }[]>(Prisma.sql`
      UPDATE clusters AS c SET conditions = v.after::jsonb
        FROM unnest(${changes.map((change) => change.id)}::uuid[], ${changes.map((change) => change.before)}::text[],
                    ${changes.map((change) => change.after)}::text[]) AS v(id, before, after)
       WHERE c.tenant_id = ${tenantId}::uuid AND c.id = v.id AND c.conditions = v.before::jsonb
   RETURNING c.id::text AS id`);
    const written = new Set(updated.map((row) => row.id));
    for (const change of changes)
      if (!written.has(change.id))
        await this.setMeshReady(tenantId, change.id, conditions.get(change.id)!, now);
  }

  /** Sets MeshReady under the cluster's row lock (the lock the agent stream's writes take). */
  async setMeshReady(
    tenantId: string,
    clusterId: string,
    condition: Omit<ClusterCondition, 'lastTransitionTime'>,
    now: Date,
  ): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ conditions: unknown }[]>(Prisma.sql`
        SELECT conditions FROM clusters
         WHERE tenant_id = ${tenantId}::uuid AND id = ${clusterId}::uuid FOR UPDATE`);
      if (rows.length === 0) return;
      const current = parseStoredConditions(rows[0]!.conditions);
      const next = setCondition(current, condition, now);
      if (storedConditionsJson(next) === storedConditionsJson(current)) return;
      await tx.$executeRaw(Prisma.sql`
        UPDATE clusters SET conditions = ${storedConditionsJson(next)}::jsonb
         WHERE tenant_id = ${tenantId}::uuid AND id = ${clusterId}::uuid`);
    });
  }
}

/** The column through its one schema; a value that does not parse reads as never reported. */
function decodeInstallation(json: unknown): MeshInstallation | null {
  if (json === null || json === undefined) return null;
  const parsed = meshInstallationSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}
