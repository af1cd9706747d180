import { Injectable, Logger } from '@nestjs/common';
import {
  groupPoliciesByGns,
  parseSecurityPolicyShape,
  parseTrafficPolicyShape,
  type PoliciesByGns,
  type SecurityPolicySpec,
  type TrafficPolicySpec,
} from '@lattice/domain';
import { Prisma } from '../../generated/prisma/client';
import { isUniqueViolation } from '../../platform/database/db.util';
import { PrismaService } from '../../platform/database/prisma.service';
import { dbOf, type Transaction } from '../../platform/database/transaction.service';

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

/**
 * Traffic policies (one per GNS service) and security policies (one per GNS). Tenant id first.
 * The spec JSON columns are decoded here only, through the domain's policy schemas: specs were
 * validated when written, so one that no longer parses is a stored-data problem (a schema that
 * became stricter): lists and distribution leave it out (logged); reading that one policy fails.
 */
@Injectable()
export class PoliciesRepository {
  private readonly logger = new Logger(PoliciesRepository.name);

  constructor(private readonly prisma: PrismaService) {}

  /** Every traffic and security policy of the tenant, by GNS id: what distribution resolves. */
  async loadAll(tenantId: string): Promise<PoliciesByGns> {
    const [traffic, security] = await Promise.all([
      this.prisma.trafficPolicy.findMany({ where: { tenantId } }),
      this.prisma.securityPolicy.findMany({ where: { tenantId } }),
    ]);
    return groupPoliciesByGns(
      traffic.flatMap((row) => this.readableTraffic(row) ?? []),
      security.flatMap((row) => this.readableSecurity(row) ?? []),
    );
  }

  async listTraffic(tenantId: string, gnsId: string, tx?: Transaction): Promise<StoredTrafficPolicy[]> {
    const rows = await dbOf(this.prisma, tx).trafficPolicy.findMany({
      where: { tenantId, gnsId },
      orderBy: { service: 'asc' },
    });
    return rows.flatMap((row) => this.readableTraffic(row) ?? []);
  }

  async findTraffic(
    tenantId: string,
    gnsId: string,
    service: string,
    tx?: Transaction,
  ): Promise<StoredTrafficPolicy | null> {
    const row = await dbOf(this.prisma, tx).trafficPolicy.findFirst({ where: { tenantId, gnsId, service } });
    return row && toStoredTraffic(row);
  }

  /** Null when another writer created it first (the unique (GNS, service) index decides). */
  async createTraffic(
    tenantId: string,
    gnsId: string,
    service: string,
    spec: TrafficPolicySpec,
    tx?: Transaction,
  ): Promise<StoredTrafficPolicy | null> {
    try {
      return toStoredTraffic(
        await dbOf(this.prisma, tx).trafficPolicy.create({
          data: { tenantId, gnsId, service, spec: json(spec) },
        }),
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
    tx?: Transaction,
  ): Promise<StoredTrafficPolicy | null> {
    const rows = await dbOf(this.prisma, tx).trafficPolicy.updateManyAndReturn({
      where: { tenantId, gnsId, service, version: expectedVersion },
      data: { spec: json(spec), version: { increment: 1 } },
    });
    return rows[0] ? toStoredTraffic(rows[0]) : null;
  }

  async deleteTraffic(tenantId: string, gnsId: string, service: string, tx?: Transaction): Promise<boolean> {
    const { count } = await dbOf(this.prisma, tx).trafficPolicy.deleteMany({
      where: { tenantId, gnsId, service },
    });
    return count > 0;
  }

  async findSecurity(
    tenantId: string,
    gnsId: string,
    tx?: Transaction,
  ): Promise<StoredSecurityPolicy | null> {
    const row = await dbOf(this.prisma, tx).securityPolicy.findFirst({ where: { tenantId, gnsId } });
    return row && toStoredSecurity(row);
  }

  /** Null when another writer created it first (one security policy per GNS). */
  async createSecurity(
    tenantId: string,
    gnsId: string,
    spec: SecurityPolicySpec,
    tx?: Transaction,
  ): Promise<StoredSecurityPolicy | null> {
    try {
      return toStoredSecurity(
        await dbOf(this.prisma, tx).securityPolicy.create({ data: { tenantId, gnsId, spec: json(spec) } }),
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
    tx?: Transaction,
  ): Promise<StoredSecurityPolicy | null> {
    const rows = await dbOf(this.prisma, tx).securityPolicy.updateManyAndReturn({
      where: { tenantId, gnsId, version: expectedVersion },
      data: { spec: json(spec), version: { increment: 1 } },
    });
    return rows[0] ? toStoredSecurity(rows[0]) : null;
  }

  async deleteSecurity(tenantId: string, gnsId: string, tx?: Transaction): Promise<boolean> {
    const { count } = await dbOf(this.prisma, tx).securityPolicy.deleteMany({ where: { tenantId, gnsId } });
    return count > 0;
  }

  /** The row, or undefined (logged) when its spec no longer parses: for lists and distribution. */
  private readableTraffic(row: TrafficRow): StoredTrafficPolicy | undefined {
    const decoded = decodeTraffic(row);
    if (decoded.ok) return decoded.value;
    this.logger.warn(
      `traffic policy of ${row.service} in GNS ${row.gnsId} unreadable, left out: ${decoded.problem}`,
    );
    return undefined;
  }

  private readableSecurity(row: SecurityRow): StoredSecurityPolicy | undefined {
    const decoded = decodeSecurity(row);
    if (decoded.ok) return decoded.value;
    this.logger.warn(`security policy of GNS ${row.gnsId} unreadable, left out: ${decoded.problem}`);
    return undefined;
  }
}

type Decoded<T> = { ok: true; value: T } | { ok: false; problem: string };

function json(spec: TrafficPolicySpec | SecurityPolicySpec): Prisma.InputJsonObject {
  return spec as Prisma.InputJsonObject;
}

function decodeTraffic(row: TrafficRow): Decoded<StoredTrafficPolicy> {
  const spec = parseTrafficPolicyShape(row.spec);
  if (!spec.ok) return { ok: false, problem: describeProblems(spec.errors) };
  const { id, gnsId, service, version, createdAt, updatedAt } = row;
  return { ok: true, value: { id, gnsId, service, spec: spec.value, version, createdAt, updatedAt } };
}

function decodeSecurity(row: SecurityRow): Decoded<StoredSecurityPolicy> {
  const spec = parseSecurityPolicyShape(row.spec);
  if (!spec.ok) return { ok: false, problem: describeProblems(spec.errors) };
  const { id, gnsId, version, createdAt, updatedAt } = row;
  return { ok: true, value: { id, gnsId, spec: spec.value, version, createdAt, updatedAt } };
}

/** A single policy read back: one that no longer parses is an internal error, not a client's. */
function toStoredTraffic(row: TrafficRow): StoredTrafficPolicy {
  const decoded = decodeTraffic(row);
  if (!decoded.ok)
    throw new Error(
      `stored traffic policy of ${row.service} in GNS ${row.gnsId} is unreadable: ${decoded.problem}`,
    );
  return decoded.value;
}

function toStoredSecurity(row: SecurityRow): StoredSecurityPolicy {
  const decoded = decodeSecurity(row);
  if (!decoded.ok)
    throw new Error(`stored security policy of GNS ${row.gnsId} is unreadable: ${decoded.problem}`);
  return decoded.value;
}

function describeProblems(errors: readonly { field: string; message: string }[]): string {
  return errors.map((error) => `${error.field}: ${error.message}`).join('; ');
}
