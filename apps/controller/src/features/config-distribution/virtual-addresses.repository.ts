import { Injectable } from '@nestjs/common';
import type { ServiceAddressKey, StoredServiceAddress } from '@lattice/domain';
import { Prisma } from '../../generated/prisma/client';
import { PrismaService } from '../../platform/database/prisma.service';

/** Stored virtual addresses of GNS services (table gns_service_addresses). */
@Injectable()
export class VirtualAddressesRepository {
  constructor(private readonly prisma: PrismaService) {}

  async list(tenantId: string): Promise<StoredServiceAddress[]> {
    return this.prisma.gnsServiceAddress.findMany({
      where: { tenantId },
      select: { gnsId: true, service: true, address: true },
      orderBy: [{ gnsId: 'asc' }, { service: 'asc' }],
    });
  }

  /**
   * Stores `address` for the service unless the service already has one or the address is taken
   * (both unique per tenant) or the GNS is gone: true when this call stored it.
   */
  async insert(tenantId: string, key: ServiceAddressKey, address: string): Promise<boolean> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>(Prisma.sql`
      INSERT INTO gns_service_addresses (id, tenant_id, gns_id, service, address)
      SELECT gen_random_uuid(), ${tenantId}::uuid, g.id, ${key.service}, ${address}
        FROM global_namespaces g
       WHERE g.id = ${key.gnsId}::uuid AND g.tenant_id = ${tenantId}::uuid
      ON CONFLICT DO NOTHING
      RETURNING id::text AS id`);
    return rows.length === 1;
  }

  /** Deletes exactly these (GNS, service, address) rows of the tenant; a row changed meanwhile stays. */
  async release(tenantId: string, entries: readonly StoredServiceAddress[]): Promise<number> {
    if (entries.length === 0) return 0;
    const result = await this.prisma.gnsServiceAddress.deleteMany({
      where: {
        tenantId,
        OR: entries.map((entry) => ({ gnsId: entry.gnsId, service: entry.service, address: entry.address })),
      },
    });
    return result.count;
  }
}
