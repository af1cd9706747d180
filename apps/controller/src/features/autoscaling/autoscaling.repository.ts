import { Injectable, Logger } from '@nestjs/common';
import { parseAutoscalingPolicy, type AutoscalingPolicySpec, type TriggerWindow } from '@lattice/domain';
import { z } from 'zod';
import { Prisma } from '../../generated/prisma/client';
import { isUniqueViolation } from '../../platform/database/db.util';
import { PrismaService } from '../../platform/database/prisma.service';
import { dbOf, type Transaction } from '../../platform/database/transaction.service';
import { encodeCursor, type Page, type PageRequest } from '../../platform/http/pagination.util';

export interface StoredAutoscalingPolicy {
  id: string;
  gnsId: string;
  service: string;
  spec: AutoscalingPolicySpec;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A decision as the agent reported it, already validated and bounded. */
export interface AutoscalingEventInput {
  gnsId: string;
  service: string;
  decisionId: string;
  policyId: string;
  policyVersion: number;
  targetKind: string;
  targetNamespace: string;
  targetName: string;
  decidedAt: Date;
  action: string;
  outcome: string;
  fromReplicas: number;
  toReplicas: number;
  rule: string;
  blockedBy: string | null;
  windows: TriggerWindow[];
}

export interface StoredAutoscalingEvent extends AutoscalingEventInput {
  id: string;
  clusterId: string;
  clusterName: string;
  createdAt: Date;
}

type PolicyRow = Prisma.AutoscalingPolicyGetPayload<object>;

const windowsSchema = z.array(
  z.object({
    trigger: z.string(),
    scaleUp: z.number(),
    scaleDown: z.number(),
    samples: z.number(),
    min: z.number().nullable(),
    max: z.number().nullable(),
    avg: z.number().nullable(),
    verdict: z.enum(['UP', 'DOWN', 'HOLD', 'NO_DATA', 'PARTIAL']),
  }),
);

/**
 * Autoscaling policies (one per GNS service) and the decisions agents reported. Tenant id first in
 * every query. Specs are decoded here only, through the domain's validation.
 */
@Injectable()
export class AutoscalingRepository {
  private readonly logger = new Logger(AutoscalingRepository.name);

  constructor(private readonly prisma: PrismaService) {}

  async list(tenantId: string, gnsId: string): Promise<StoredAutoscalingPolicy[]> {
    const rows = await this.prisma.autoscalingPolicy.findMany({
      where: { tenantId, gnsId },
      orderBy: { service: 'asc' },
    });
    return rows.flatMap((row) => {
      const decoded = decode(row);
      if (decoded) return [decoded];
      this.logger.warn(`autoscaling policy of ${row.service} in GNS ${row.gnsId} unreadable, left out`);
      return [];
    });
  }

  async find(
    tenantId: string,
    gnsId: string,
    service: string,
    tx?: Transaction,
  ): Promise<StoredAutoscalingPolicy | null> {
    const row = await dbOf(this.prisma, tx).autoscalingPolicy.findFirst({
      where: { tenantId, gnsId, service },
    });
    return row && toStored(row);
  }

  /** Null when another writer created it first (the unique (GNS, service) index decides). */
  async create(
    tenantId: string,
    gnsId: string,
    service: string,
    spec: AutoscalingPolicySpec,
    tx?: Transaction,
  ): Promise<StoredAutoscalingPolicy | null> {
    try {
      return toStored(
        await dbOf(this.prisma, tx).autoscalingPolicy.create({
          data: { tenantId, gnsId, service, spec: json(spec) },
        }),
      );
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  async replaceIfVersion(
    tenantId: string,
    gnsId: string,
    service: string,
    expectedVersion: number,
    spec: AutoscalingPolicySpec,
    tx?: Transaction,
  ): Promise<StoredAutoscalingPolicy | null> {
    const rows = await dbOf(this.prisma, tx).autoscalingPolicy.updateManyAndReturn({
      where: { tenantId, gnsId, service, version: expectedVersion },
      data: { spec: json(spec), version: { increment: 1 } },
    });
    return rows[0] ? toStored(rows[0]) : null;
  }

  async delete(tenantId: string, gnsId: string, service: string, tx?: Transaction): Promise<boolean> {
    const { count } = await dbOf(this.prisma, tx).autoscalingPolicy.deleteMany({
      where: { tenantId, gnsId, service },
    });
    return count > 0;
  }

  /**
   * Stores the decisions of one cluster; one already stored (same cluster and decision id) is
   * skipped, and so is one naming a GNS that is not the tenant's. Returns how many were new.
   */
  async insertEvents(
    tenantId: string,
    clusterId: string,
    events: readonly AutoscalingEventInput[],
  ): Promise<number> {
    if (events.length === 0) return 0;
    const gnsIds = [...new Set(events.map((event) => event.gnsId))];
    const owned = new Set(
      (
        await this.prisma.globalNamespace.findMany({
          where: { tenantId, id: { in: gnsIds } },
          select: { id: true },
        })
      ).map((gns) => gns.id),
    );
    const { count } = await this.prisma.autoscalingEvent.createMany({
      data: events
        .filter((event) => owned.has(event.gnsId))
        .map((event) => ({
          tenantId,
          clusterId,
          gnsId: event.gnsId,
          service: event.service,
          decisionId: event.decisionId,
          policyId: event.policyId,
          policyVersion: event.policyVersion,
          targetKind: event.targetKind,
          targetNamespace: event.targetNamespace,
          targetName: event.targetName,
          decidedAt: event.decidedAt,
          action: event.action,
          outcome: event.outcome,
          fromReplicas: event.fromReplicas,
          toReplicas: event.toReplicas,
          rule: event.rule,
          blockedBy: event.blockedBy,
          windows: event.windows as unknown as Prisma.InputJsonArray,
        })),
      skipDuplicates: true,
    });
    return count;
  }

  /** Newest first, a page at a time (keyset on decision time and id). */
  async listEvents(
    tenantId: string,
    gnsId: string,
    service: string,
    page: PageRequest,
  ): Promise<Page<StoredAutoscalingEvent>> {
    const after = page.after;
    const fetched = await this.prisma.autoscalingEvent.findMany({
      where: {
        tenantId,
        gnsId,
        service,
        ...(after
          ? {
              OR: [
                { decidedAt: { lt: after.createdAt } },
                { decidedAt: after.createdAt, id: { lt: after.id } },
              ],
            }
          : {}),
      },
      orderBy: [{ decidedAt: 'desc' }, { id: 'desc' }],
      take: page.limit + 1,
    });
    const rows = fetched.slice(0, page.limit);
    const last = rows.at(-1);
    const nextCursor =
      fetched.length > page.limit && last ? encodeCursor({ createdAt: last.decidedAt, id: last.id }) : null;
    const clusterNames = new Map(
      (
        await this.prisma.cluster.findMany({
          where: { tenantId, id: { in: [...new Set(rows.map((row) => row.clusterId))] } },
          select: { id: true, name: true },
        })
      ).map((cluster) => [cluster.id, cluster.name]),
    );
    const items = rows.map((row) => {
      const windows = windowsSchema.safeParse(row.windows);
      return {
        id: row.id,
        clusterId: row.clusterId,
        clusterName: clusterNames.get(row.clusterId) ?? '',
        gnsId: row.gnsId,
        service: row.service,
        decisionId: row.decisionId,
        policyId: row.policyId,
        policyVersion: row.policyVersion,
        targetKind: row.targetKind,
        targetNamespace: row.targetNamespace,
        targetName: row.targetName,
        decidedAt: row.decidedAt,
        action: row.action,
        outcome: row.outcome,
        fromReplicas: row.fromReplicas,
        toReplicas: row.toReplicas,
        rule: row.rule,
        blockedBy: row.blockedBy,
        windows: windows.success ? windows.data : [],
        createdAt: row.createdAt,
      };
    });
    return { items, nextCursor };
  }

  /** Retention across tenants: deletes every decision event older than `before`. */
  async deleteEventsBefore(before: Date): Promise<number> {
    const { count } = await this.prisma.autoscalingEvent.deleteMany({ where: { decidedAt: { lt: before } } });
    return count;
  }
}

function json(spec: AutoscalingPolicySpec): Prisma.InputJsonObject {
  return spec as unknown as Prisma.InputJsonObject;
}

function decode(row: PolicyRow): StoredAutoscalingPolicy | undefined {
  const spec = parseAutoscalingPolicy(row.spec);
  if (!spec.ok) return undefined;
  const { id, gnsId, service, version, createdAt, updatedAt } = row;
  return { id, gnsId, service, spec: spec.value, version, createdAt, updatedAt };
}

function toStored(row: PolicyRow): StoredAutoscalingPolicy {
  const decoded = decode(row);
  if (!decoded)
    throw new Error(`stored autoscaling policy of ${row.service} in GNS ${row.gnsId} is unreadable`);
  return decoded;
}
