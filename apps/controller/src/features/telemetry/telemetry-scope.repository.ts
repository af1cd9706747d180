import { Injectable } from '@nestjs/common';
import { storedMatchConditionsSchema } from '@lattice/domain';
import { PgPool } from '../../platform/database/pg-pool.service';
import type { GnsScopeFacts } from './telemetry.types';

export interface GnsKey {
  tenantId: string;
  gnsId: string;
}

/** What decides which telemetry belongs to a GNS: its match conditions and the tenant's cluster names. */
@Injectable()
export class TelemetryScopeRepository {
  constructor(private readonly pg: PgPool) {}

  async load(tenantId: string, gnsId: string): Promise<GnsScopeFacts | null> {
    const [facts] = await this.loadMany([{ tenantId, gnsId }]);
    return facts ?? null;
  }

  /**
   * The facts of many GNSs (of any tenants) in two queries, in the order of `keys` (null for a GNS
   * that does not exist in its tenant). Every condition pairs the GNS id with its tenant id.
   */
  async loadMany(keys: readonly GnsKey[]): Promise<(GnsScopeFacts | null)[]> {
    if (keys.length === 0) return [];
    const tenantIds = [...new Set(keys.map((key) => key.tenantId))];
    // Plain pg: every telemetry query reads these first (see PgPool).
    const [namespaces, clusters] = await Promise.all([
      this.pg.query<{ tenant_id: string; id: string; match_conditions: unknown }>(
        `SELECT g.tenant_id, g.id, g.match_conditions FROM global_namespaces g
         JOIN unnest($1::uuid[], $2::uuid[]) AS k(tenant_id, id) ON g.tenant_id = k.tenant_id AND g.id = k.id`,
        [keys.map((key) => key.tenantId), keys.map((key) => key.gnsId)],
      ),
      this.pg.query<{ tenant_id: string; id: string; name: string }>(
        'SELECT tenant_id, id, name FROM clusters WHERE tenant_id = ANY($1::uuid[]) ORDER BY id',
        [tenantIds],
      ),
    ]);
    const clustersOf = new Map<string, { id: string; name: string }[]>();
    for (const cluster of clusters) {
      const list = clustersOf.get(cluster.tenant_id) ?? [];
      list.push({ id: cluster.id, name: cluster.name });
      clustersOf.set(cluster.tenant_id, list);
    }
    const byKey = new Map(namespaces.map((gns) => [`${gns.tenant_id} ${gns.id}`, gns]));
    return keys.map((key) => {
      const gns = byKey.get(`${key.tenantId} ${key.gnsId}`);
      if (!gns) return null;
      // Written by the GNS API after validateMatchConditions; a malformed entry simply matches nothing.
      const entries: unknown[] = Array.isArray(gns.match_conditions) ? gns.match_conditions : [];
      const matchConditions = entries.flatMap((entry) => {
        const parsed = storedMatchConditionsSchema.element.safeParse(entry);
        return parsed.success ? [parsed.data] : [];
      });
      return { matchConditions, clusters: clustersOf.get(key.tenantId) ?? [] };
    });
  }
}
