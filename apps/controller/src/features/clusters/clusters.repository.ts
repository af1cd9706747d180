import { Injectable, Logger } from '@nestjs/common';
import {
  clusterInventorySchema,
  storedConditionsSchema,
  storedLabelsSchema,
  type ClusterInventory,
} from '@lattice/domain';
import { z } from 'zod';
import { Prisma, type Cluster } from '../../generated/prisma/client';
import {
  cursorWhere,
  mapPage,
  pageOf,
  type Page,
  type PageRequest,
} from '../../platform/http/pagination.util';
import { dbOf, transactionClient, type Transaction } from '../../platform/database/transaction.service';
import { PrismaService } from '../../platform/database/prisma.service';
import type { ClusterChanges, ClusterRecord, NewCluster } from './clusters.types';

const logger = new Logger('ClustersRepository');
const EMPTY_INVENTORY: ClusterInventory = { namespaces: [], services: [] };

/** Tenant-scoped persistence of clusters and their bootstrap tokens (tenant id first, always). */
@Injectable()
export class ClustersRepository {
  constructor(private readonly prisma: PrismaService) {}

  async create(tenantId: string, cluster: NewCluster, tx?: Transaction): Promise<ClusterRecord> {
    return toClusterRecord(
      await dbOf(this.prisma, tx).cluster.create({ data: { tenantId, ...withJsonNulls(cluster) } }),
    );
  }

  async find(tenantId: string, id: string, tx?: Transaction): Promise<ClusterRecord | null> {
    const row = await dbOf(this.prisma, tx).cluster.findFirst({ where: { tenantId, id } });
    return row && toClusterRecord(row);
  }

  /** The id of the tenant's resource with this name (names are unique per tenant), or null. */
  async idByName(tenantId: string, name: string): Promise<string | null> {
    const row = await this.prisma.cluster.findFirst({ where: { tenantId, name }, select: { id: true } });
    return row?.id ?? null;
  }

  async existsByName(tenantId: string, name: string): Promise<boolean> {
    return (await this.prisma.cluster.count({ where: { tenantId, name } })) > 0;
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<ClusterRecord>> {
    const rows = await this.prisma.cluster.findMany({
      where: { tenantId, ...cursorWhere(page) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
    });
    return mapPage(pageOf(rows, page.limit), toClusterRecord);
  }

  /** Optimistic update: succeeds only if the row still has `expectedVersion`. */
  update(
    tenantId: string,
    id: string,
    expectedVersion: number,
    changes: ClusterChanges,
    tx?: Transaction,
  ): Promise<ClusterRecord | null> {
    return this.updateVersioned(tenantId, id, expectedVersion, withJsonNulls(changes), tx);
  }

  /** Marks the cluster revoked and forgets its stream, if the row still has `expectedVersion`. */
  revoke(
    tenantId: string,
    id: string,
    expectedVersion: number,
    now: Date,
    tx?: Transaction,
  ): Promise<ClusterRecord | null> {
    return this.updateVersioned(tenantId, id, expectedVersion, { revokedAt: now, connectionId: null }, tx);
  }

  async delete(tenantId: string, id: string, tx?: Transaction): Promise<boolean> {
    const { count } = await dbOf(this.prisma, tx).cluster.deleteMany({ where: { tenantId, id } });
    return count > 0;
  }

  async createBootstrapToken(
    tenantId: string,
    clusterId: string,
    hash: string,
    expiresAt: Date,
    tx?: Transaction,
  ): Promise<void> {
    await dbOf(this.prisma, tx).bootstrapToken.create({ data: { tenantId, clusterId, hash, expiresAt } });
  }

  /**
   * Locks the cluster row until `tx` ends. Every bootstrap-token issue and redemption of a cluster
   * takes this lock first, so concurrent redemptions of different tokens run one after another.
   */
  async lockForEnrolment(tenantId: string, id: string, tx: Transaction): Promise<ClusterRecord | null> {
    const rows = await transactionClient(tx).$queryRaw<{ id: string }[]>(Prisma.sql`
      SELECT id::text FROM clusters WHERE tenant_id = ${tenantId}::uuid AND id = ${id}::uuid FOR UPDATE`);
    return rows.length === 0 ? null : this.find(tenantId, id, tx);
  }

  /** Which cluster a bootstrap token (by hash) was issued for, whatever its state. */
  async bootstrapTokenOwner(hash: string): Promise<{ tenantId: string; clusterId: string } | null> {
    const token = await this.prisma.bootstrapToken.findUnique({
      where: { hash },
      select: { tenantId: true, clusterId: true },
    });
    return token && { tenantId: token.tenantId, clusterId: token.clusterId };
  }

  /**
   * Redeems a bootstrap token: one UPDATE that only succeeds while the token is unused and
   * unexpired, so two concurrent redemptions cannot both win.
   */
  async redeemBootstrapToken(tenantId: string, hash: string, now: Date, tx: Transaction): Promise<boolean> {
    const { count } = await transactionClient(tx).bootstrapToken.updateMany({
      where: { tenantId, hash, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    return count === 1;
  }

  /** Ends every unused bootstrap token of the cluster (a newer token or enrolment replaces them). */
  async retireBootstrapTokens(
    tenantId: string,
    clusterId: string,
    now: Date,
    tx: Transaction,
  ): Promise<number> {
    const { count } = await transactionClient(tx).bootstrapToken.updateMany({
      where: { tenantId, clusterId, usedAt: null },
      data: { usedAt: now },
    });
    return count;
  }

  /** Refuses every agent certificate of the cluster but `except` (checked when a call starts). */
  async revokeAgentCertificates(
    tenantId: string,
    clusterId: string,
    now: Date,
    tx: Transaction,
    except?: string,
  ): Promise<number> {
    const { count } = await transactionClient(tx).agentCertificate.updateMany({
      where: { tenantId, clusterId, revokedAt: null, ...(except ? { fingerprint: { not: except } } : {}) },
      data: { revokedAt: now },
    });
    return count;
  }

  /** Why a token could not be redeemed, for a clear error (only after redemption failed). */
  async bootstrapTokenState(
    hash: string,
    now: Date,
    tx?: Transaction,
  ): Promise<'unknown' | 'used' | 'expired'> {
    const token = await dbOf(this.prisma, tx).bootstrapToken.findUnique({ where: { hash } });
    if (!token) return 'unknown';
    if (token.usedAt) return 'used';
    return token.expiresAt <= now ? 'expired' : 'used';
  }

  /** Lifts a revocation (re-enrolment), if the row still has `expectedVersion`. */
  reinstate(
    tenantId: string,
    id: string,
    expectedVersion: number,
    tx: Transaction,
  ): Promise<ClusterRecord | null> {
    return this.updateVersioned(tenantId, id, expectedVersion, { revokedAt: null }, tx);
  }

  private async updateVersioned(
    tenantId: string,
    id: string,
    expectedVersion: number,
    data: Prisma.ClusterUpdateManyMutationInput,
    tx: Transaction | undefined,
  ): Promise<ClusterRecord | null> {
    const { count } = await dbOf(this.prisma, tx).cluster.updateMany({
      where: { tenantId, id, version: expectedVersion },
      data: { ...data, version: { increment: 1 } },
    });
    return count === 0 ? null : this.find(tenantId, id, tx);
  }
}

/** Prisma writes SQL NULL into a JSON column only when told so (Prisma.DbNull), not for `null`. */
function withJsonNulls<T extends { eastWestGatewaySelector?: Record<string, string> | null }>(
  data: T,
): Omit<T, 'eastWestGatewaySelector'> & {
  eastWestGatewaySelector?: Record<string, string> | typeof Prisma.DbNull;
} {
  const { eastWestGatewaySelector, ...rest } = data;
  if (eastWestGatewaySelector === undefined) return rest;
  return { ...rest, eastWestGatewaySelector: eastWestGatewaySelector ?? Prisma.DbNull };
}

/** The one place a cluster row becomes a ClusterRecord: JSON columns decoded through their schemas. */
function toClusterRecord(row: Cluster): ClusterRecord {
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    eastWestAddress: row.eastWestAddress,
    labels: decodeJson(storedLabelsSchema, row.labels, {}, row, 'labels'),
    takeOverMeshCa: row.takeOverMeshCa,
    network: row.network,
    region: row.region,
    zone: row.zone,
    eastWestGatewayManaged: row.eastWestGatewayManaged,
    eastWestGatewaySelector:
      row.eastWestGatewaySelector === null
        ? null
        : decodeJson(storedLabelsSchema, row.eastWestGatewaySelector, {}, row, 'eastWestGatewaySelector'),
    version: row.version,
    connectionId: row.connectionId,
    firstConnectedAt: row.firstConnectedAt,
    lastSeenAt: row.lastSeenAt,
    agentVersion: row.agentVersion,
    appliedVersion: row.appliedVersion,
    desiredVersion: row.desiredVersion,
    lastNackVersion: row.lastNackVersion,
    lastNackReason: row.lastNackReason,
    lastNackAt: row.lastNackAt,
    inventory: decodeJson(clusterInventorySchema, row.inventory, EMPTY_INVENTORY, row, 'inventory'),
    inventoryUpdatedAt: row.inventoryUpdatedAt,
    conditions: decodeJson(storedConditionsSchema, row.conditions, [], row, 'conditions'),
    revokedAt: row.revokedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** A column that does not parse degrades to `fallback` for this one cluster (logged), never fails a page. */
function decodeJson<T>(schema: z.ZodType<T>, json: unknown, fallback: T, row: Cluster, column: string): T {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  logger.warn(`cluster ${row.id}: stored ${column} does not parse: ${z.prettifyError(result.error)}`);
  return fallback;
}
