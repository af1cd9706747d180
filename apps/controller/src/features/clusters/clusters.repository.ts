import { Injectable } from '@nestjs/common';
import type { Cluster, Prisma } from '../../generated/prisma/client';
import { cursorWhere, pageOf, type Page, type PageRequest } from '../../platform/http/pagination.util';
import type { Db } from '../../platform/database/db.util';
import { PrismaService } from '../../platform/database/prisma.service';

export interface NewCluster {
  name: string;
  eastWestAddress: string | null;
  labels: Record<string, string>;
}

/** Tenant-scoped persistence of clusters and their bootstrap tokens (tenant id first, always). */
@Injectable()
export class ClustersRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(tenantId: string, cluster: NewCluster, db: Db = this.prisma): Promise<Cluster> {
    return db.cluster.create({ data: { tenantId, ...cluster } });
  }

  find(tenantId: string, id: string, db: Db = this.prisma): Promise<Cluster | null> {
    return db.cluster.findFirst({ where: { tenantId, id } });
  }

  findByName(tenantId: string, name: string): Promise<Cluster | null> {
    return this.prisma.cluster.findFirst({ where: { tenantId, name } });
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<Cluster>> {
    const rows = await this.prisma.cluster.findMany({
      where: { tenantId, ...cursorWhere(page) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: page.limit + 1,
    });
    return pageOf(rows, page.limit);
  }

  /** Optimistic update: succeeds only if the row still has `expectedVersion`. */
  async update(
    tenantId: string,
    id: string,
    expectedVersion: number,
    data: Prisma.ClusterUpdateManyMutationInput,
    db: Db = this.prisma,
  ): Promise<Cluster | null> {
    const { count } = await db.cluster.updateMany({
      where: { tenantId, id, version: expectedVersion },
      data: { ...data, version: { increment: 1 } },
    });
    return count === 0 ? null : db.cluster.findFirst({ where: { tenantId, id } });
  }

  async delete(tenantId: string, id: string, db: Db = this.prisma): Promise<boolean> {
    const { count } = await db.cluster.deleteMany({ where: { tenantId, id } });
    return count > 0;
  }

  async createBootstrapToken(tenantId: string, clusterId: string, hash: string, expiresAt: Date, db: Db = this.prisma): Promise<void> {
    await db.bootstrapToken.create({ data: { tenantId, clusterId, hash, expiresAt } });
  }

  /**
   * Redeems a bootstrap token: one UPDATE that only succeeds while the token is unused and
   * unexpired, so two concurrent redemptions cannot both win.
   */
  async redeemBootstrapToken(hash: string, now: Date): Promise<{ tenantId: string; clusterId: string } | null> {
    const rows = await this.prisma.$queryRaw<{ tenant_id: string; cluster_id: string }[]>`
      UPDATE bootstrap_tokens SET used_at = ${now}
      WHERE hash = ${hash} AND used_at IS NULL AND expires_at > ${now}
      RETURNING tenant_id::text, cluster_id::text`;
    const row = rows[0];
    return row ? { tenantId: row.tenant_id, clusterId: row.cluster_id } : null;
  }

  /** Why a token could not be redeemed, for a clear error (only after redemption failed). */
  async bootstrapTokenState(hash: string, now: Date): Promise<'unknown' | 'used' | 'expired'> {
    const token = await this.prisma.bootstrapToken.findUnique({ where: { hash } });
    if (!token) return 'unknown';
    if (token.usedAt) return 'used';
    return token.expiresAt <= now ? 'expired' : 'used';
  }
}
