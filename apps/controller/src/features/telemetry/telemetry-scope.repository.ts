import { Injectable } from '@nestjs/common';
import { storedMatchConditionsSchema } from '@lattice/domain';
import { PrismaService } from '../../platform/database/prisma.service';
import type { GnsScopeFacts } from './telemetry.types';

/** What decides which telemetry belongs to a GNS: its match conditions and the tenant's cluster names. */
@Injectable()
export class TelemetryScopeRepository {
  constructor(private readonly prisma: PrismaService) {}

  async load(tenantId: string, gnsId: string): Promise<GnsScopeFacts | null> {
    const [gns, clusters] = await Promise.all([
      this.prisma.globalNamespace.findFirst({
        where: { tenantId, id: gnsId },
        select: { matchConditions: true },
      }),
      this.prisma.cluster.findMany({ where: { tenantId }, select: { id: true, name: true } }),
    ]);
    if (!gns) return null;
    // Written by the GNS API after validateMatchConditions; a malformed entry simply matches nothing.
    const entries: unknown[] = Array.isArray(gns.matchConditions) ? gns.matchConditions : [];
    const matchConditions = entries.flatMap((entry) => {
      const parsed = storedMatchConditionsSchema.element.safeParse(entry);
      return parsed.success ? [parsed.data] : [];
    });
    return { matchConditions, clusters };
  }
}
