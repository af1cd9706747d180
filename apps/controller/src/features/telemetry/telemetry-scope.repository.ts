import { Injectable } from '@nestjs/common';
import { storedMatchConditionsSchema } from '@lattice/domain';
import { PrismaService } from '../../platform/database/prisma.service';
import type { GnsScopeFacts } from './telemetry.types';

export interface GnsKey {
  tenantId: string;
  gnsId: string;
}

/** What decides which telemetry belongs to a GNS: its match conditions and the tenant's cluster names. */
@Injectable()
export class TelemetryScopeRepository {
  constructor(private readonly prisma: PrismaService) {}

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
    const [namespaces, clusters] = await Promise.all([
      this.prisma.globalNamespace.findMany({
        where: { OR: keys.map((key) => ({ tenantId: key.tenantId, id: key.gnsId })) },
        select: { tenantId: true, id: true, matchConditions: true },
      }),
      this.prisma.cluster.findMany({
        where: { tenantId: { in: tenantIds } },
        select: { tenantId: true, id: true, name: true },
        orderBy: { id: 'asc' },
      }),
    ]);
    const clustersOf = new Map<string, { id: string; name: string }[]>();
    for (const cluster of clusters) {
      const list = clustersOf.get(cluster.tenantId) ?? [];
      list.push({ id: cluster.id, name: cluster.name });
      clustersOf.set(cluster.tenantId, list);
    }
    const byKey = new Map(namespaces.map((gns) => [`${gns.tenantId} ${gns.id}`, gns]));
    return keys.map((key) => {
      const gns = byKey.get(`${key.tenantId} ${key.gnsId}`);
      if (!gns) return null;
      // Written by the GNS API after validateMatchConditions; a malformed entry simply matches nothing.
      const entries: unknown[] = Array.isArray(gns.matchConditions) ? gns.matchConditions : [];
      const matchConditions = entries.flatMap((entry) => {
        const parsed = storedMatchConditionsSchema.element.safeParse(entry);
        return parsed.success ? [parsed.data] : [];
      });
      return { matchConditions, clusters: clustersOf.get(key.tenantId) ?? [] };
    });
  }
}
