import { Injectable } from '@nestjs/common';
import type { SecurityPolicySpec, TrafficPolicySpec } from '@lattice/domain';
import { Prisma } from '../../generated/prisma/client';
import { isUniqueViolation, type Db } from '../../platform/database/db.util';
import { PrismaService } from '../../platform/database/prisma.service';

export interface StoredTrafficPolicy {
  id: string;
  gnsId: string;
  service: string;
  /** As written (normalised by libs/domain); read back without re-validation against the inventory. */
  spec: TrafficPolicySpec;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface StoredSecurityPolicy {
  id: string;
  gnsId: string;
  spec: SecurityPolicySpec;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

type TrafficRow = Prisma.TrafficPolicyGetPayload<object>;
type SecurityRow = Prisma.SecurityPolicyGetPayload<object>;

/** Traffic policies (one per GNS service) and security policies (one per GNS). Tenant id first. */
@Injectable()
export class PoliciesRepository {
  constructor(private readonly prisma: PrismaService) {}

  async listTraffic(tenantId: string, gnsId: string, db: Db = this.prisma): Promise<StoredTrafficPolicy[]> {
    const rows = await db.trafficPolicy.findMany({ where: { tenantId, gnsId }, orderBy: { service: 'asc' } });
    return rows.map(toStoredTraffic);
  }

  async findTraffic(
    tenantId: string,
    gnsId: string,
    service: string,
    db: Db = this.prisma,
  ): Promise<StoredTrafficPolicy | null> {
    const row = await db.trafficPolicy.findFirst({ where: { tenantId, gnsId, service } });
    return row && toStoredTraffic(row);
  }

  /** Null when another writer created it first (the unique (GNS, service) index decides). */
  async createTraffic(
    tenantId: string,
    gnsId: string,
    service: string,
    spec: TrafficPolicySpec,
    db: Db = this.prisma,
  ): Promise<StoredTrafficPolicy | null> {
    try {
      return toStoredTraffic(
        await db.trafficPolicy.create({ data: { tenantId, gnsId, service, spec: json(spec) } }),
      );
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  /** Replaces it only if still at `expectedVersion`; null otherwise. */
  async replaceTrafficIfVersion(
    tenantId: string,
    gnsId: string,
    service: string,
    expectedVersion: number,
    spec: TrafficPolicySpec,
    db: Db = this.prisma,
  ): Promise<StoredTrafficPolicy | null> {
    const rows = await db.trafficPolicy.updateManyAndReturn({
      where: { tenantId, gnsId, service, version: expectedVersion },
      data: { spec: json(spec), version: { increment: 1 } },
    });
    return rows[0] ? toStoredTraffic(rows[0]) : null;
  }

  async deleteTraffic(
    tenantId: string,
    gnsId: string,
    service: string,
    db: Db = this.prisma,
  ): Promise<boolean> {
    const { count } = await db.trafficPolicy.deleteMany({ where: { tenantId, gnsId, service } });
    return count > 0;
  }

  async findSecurity(
    tenantId: string,
    gnsId: string,
    db: Db = this.prisma,
  ): Promise<StoredSecurityPolicy | null> {
    const row = await db.securityPolicy.findFirst({ where: { tenantId, gnsId } });
    return row && toStoredSecurity(row);
  }

  /** Null when another writer created it first (one security policy per GNS). */
  async createSecurity(
    tenantId: string,
    gnsId: string,
    spec: SecurityPolicySpec,
    db: Db = this.prisma,
  ): Promise<StoredSecurityPolicy | null> {
    try {
      return toStoredSecurity(
        await db.securityPolicy.create({ data: { tenantId, gnsId, spec: json(spec) } }),
      );
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  async replaceSecurityIfVersion(
    tenantId: string,
    gnsId: string,
    expectedVersion: number,
    spec: SecurityPolicySpec,
    db: Db = this.prisma,
  ): Promise<StoredSecurityPolicy | null> {
    const rows = await db.securityPolicy.updateManyAndReturn({
      where: { tenantId, gnsId, version: expectedVersion },
      data: { spec: json(spec), version: { increment: 1 } },
    });
    return rows[0] ? toStoredSecurity(rows[0]) : null;
  }

  async deleteSecurity(tenantId: string, gnsId: string, db: Db = this.prisma): Promise<boolean> {
    const { count } = await db.securityPolicy.deleteMany({ where: { tenantId, gnsId } });
    return count > 0;
  }
}

function json(spec: TrafficPolicySpec | SecurityPolicySpec): Prisma.InputJsonValue {
  return spec as unknown as Prisma.InputJsonValue;
}

function toStoredTraffic(row: TrafficRow): StoredTrafficPolicy {
  return {
    id: row.id,
    gnsId: row.gnsId,
    service: row.service,
    spec: row.spec as unknown as TrafficPolicySpec,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function toStoredSecurity(row: SecurityRow): StoredSecurityPolicy {
  return {
    id: row.id,
    gnsId: row.gnsId,
    spec: row.spec as unknown as SecurityPolicySpec,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
