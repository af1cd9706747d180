import { Injectable } from '@nestjs/common';
import {
  afterAck,
  afterNack,
  applyInventoryUpdate,
  applyReportedConditions,
  type ClusterCondition,
  clusterInventorySchema,
  type ClusterInventory,
  CONNECTED_CONDITION,
  INVENTORY_REPORTED_CONDITION,
  type InventoryUpdate,
  type ReportedCondition,
  setCondition,
  storedConditionsJson,
  parseStoredConditions,
} from '@lattice/domain';
import { Prisma } from '../../generated/prisma/client';
import { PgPool } from '../../platform/database/pg-pool.service';
import { PrismaService } from '../../platform/database/prisma.service';
import { dbOf, type Transaction } from '../../platform/database/transaction.service';

/** Compare-and-set rounds of an ACK before it takes the row lock instead (see recordAck). */
const ACK_COMPARE_AND_SET_ATTEMPTS = 3;

/** The desired_at of an ACKed version when it is the cluster's newest and was not applied before. */
function ackedDesiredAt(
  facts: { appliedVersion: number },
  row: { desired_version: number; desired_at: Date | null },
  version: number,
): Date | null {
  return version > facts.appliedVersion && Number(row.desired_version) === version ? row.desired_at : null;
}

/** What an ACK reads of its cluster's row. */
interface AckRow {
  conditions: unknown;
  conditions_text: string;
  applied_version: number;
  desired_version: number;
  desired_at: Date | null;
  last_nack_version: number | null;
}

/** A heartbeat of the stream `connectionId` of a cluster, at `at`. */
export interface StreamSeen {
  clusterId: string;
  connectionId: string;
  at: Date;
}

export interface ClusterAck {
  clusterId: string;
  version: number;
  now: Date;
}

function ackFacts(row: AckRow): { appliedVersion: number; lastNackVersion: number | null } {
  return {
    appliedVersion: Number(row.applied_version),
    lastNackVersion: row.last_nack_version === null ? null : Number(row.last_nack_version),
  };
}

/** What the agent stream reads and writes about its own cluster (always tenant and cluster scoped). */
@Injectable()
export class ClusterLinkRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly pg: PgPool,
  ) {}

  async recordCertificate(
    tenantId: string,
    clusterId: string,
    fingerprint: string,
    notAfter: Date,
    tx?: Transaction,
  ): Promise<void> {
    await dbOf(this.prisma, tx).agentCertificate.create({
      data: { tenantId, clusterId, fingerprint, notAfter },
    });
  }

  /**
   * Records a renewed certificate if the presenting one is still active, under the cluster's row
   * lock (the lock a bootstrap redemption takes), so a renewal cannot slip past a re-bootstrap.
   */
  async recordRenewal(
    tenantId: string,
    clusterId: string,
    presentedFingerprint: string,
    fingerprint: string,
    notAfter: Date,
  ): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const standing = await tx.$queryRaw<{ revoked: boolean }[]>(Prisma.sql`
        SELECT revoked_at IS NOT NULL AS revoked FROM clusters
         WHERE tenant_id = ${tenantId}::uuid AND id = ${clusterId}::uuid FOR UPDATE`);
      if (standing.length === 0 || standing[0]?.revoked) return false;
      const active = await tx.agentCertificate.count({
        where: { tenantId, clusterId, fingerprint: presentedFingerprint, revokedAt: null },
      });
      if (active === 0) return false;
      await tx.agentCertificate.create({ data: { tenantId, clusterId, fingerprint, notAfter } });
      return true;
    });
  }

  /**
   * What a Connect needs to know in one round trip (agents reconnecting after a restart open
   * hundreds of streams a second): whether the cluster is on record, since when it is revoked, and
   * whether the presented certificate is still active for it. Null when the cluster is gone.
   */
  async connectStanding(
    tenantId: string,
    clusterId: string,
    fingerprint: string,
  ): Promise<{ revokedAt: Date | null; certificateActive: boolean } | null> {
    const rows = await this.prisma.$queryRaw<
      { revoked_at: Date | null; certificate_active: boolean }[]
    >(Prisma.sql`
      SELECT c.revoked_at,
             EXISTS (SELECT 1 FROM agent_certificates a
                      WHERE a.tenant_id = c.tenant_id AND a.cluster_id = c.id
                        AND a.fingerprint = ${fingerprint} AND a.revoked_at IS NULL) AS certificate_active
        FROM clusters c
       WHERE c.tenant_id = ${tenantId}::uuid AND c.id = ${clusterId}::uuid`);
    const row = rows[0];
    return row ? { revokedAt: row.revoked_at, certificateActive: row.certificate_active } : null;
  }

  async isCertificateActive(tenantId: string, clusterId: string, fingerprint: string): Promise<boolean> {
    const row = await this.prisma.agentCertificate.findFirst({
      where: { tenantId, clusterId, fingerprint, revokedAt: null },
    });
    return row !== null;
  }

  async markConnected(
    tenantId: string,
    clusterId: string,
    connectionId: string,
    agentVersion: string,
    now: Date,
  ): Promise<void> {
    await this.withLockedCluster(tenantId, clusterId, async (tx, row) => {
      await tx.$executeRaw(Prisma.sql`
        UPDATE clusters SET connection_id = ${connectionId}, last_seen_at = ${now}, agent_version = ${agentVersion},
          first_connected_at = COALESCE(first_connected_at, ${now}), updated_at = ${now},
          conditions = ${storedConditionsJson(setCondition(row.conditions, CONNECTED_CONDITION.open, now))}::jsonb
        WHERE tenant_id = ${tenantId}::uuid AND id = ${clusterId}::uuid`);
    });
  }

  /**
   * Moves last_seen_at of the clusters whose stream is still the one that saw them (heartbeats of
   * many streams in one statement: a thousand agents beat a hundred times a second).
   */
  async touchMany(tenantId: string, seen: readonly StreamSeen[]): Promise<void> {
    await this.pg.query(
      `UPDATE clusters AS c SET last_seen_at = v.at, updated_at = v.at
         FROM unnest($2::uuid[], $3::text[], $4::timestamptz[]) AS v(id, connection_id, at)
        WHERE c.tenant_id = $1::uuid AND c.id = v.id AND c.connection_id = v.connection_id
          AND (c.last_seen_at IS NULL OR c.last_seen_at < v.at)`,
      [
        tenantId,
        seen.map((entry) => entry.clusterId),
        seen.map((entry) => entry.connectionId),
        seen.map((entry) => entry.at),
      ],
    );
  }

  /** Only the stream that holds the cluster may mark it disconnected (a newer stream may have taken over). */
  async markDisconnected(
    tenantId: string,
    clusterId: string,
    connectionId: string,
    now: Date,
  ): Promise<void> {
    await this.withLockedCluster(tenantId, clusterId, async (tx, row) => {
      if (row.connectionId !== connectionId) return;
      await tx.$executeRaw(Prisma.sql`
        UPDATE clusters SET connection_id = NULL, last_seen_at = ${now},
          conditions = ${storedConditionsJson(setCondition(row.conditions, CONNECTED_CONDITION.closed, now))}::jsonb
        WHERE tenant_id = ${tenantId}::uuid AND id = ${clusterId}::uuid`);
    });
  }

  /**
   * Applies an inventory update under a row lock; returns whether the stored inventory changed.
   * `reportsConditions` false (an agent that does not send AgentConditions): a full inventory sets
   * InventorySynced True, since such an agent sends nothing else about it.
   */
  async applyInventory(
    tenantId: string,
    clusterId: string,
    update: InventoryUpdate,
    now: Date,
    reportsConditions = true,
  ): Promise<boolean> {
    const changed = await this.withLockedCluster(tenantId, clusterId, async (tx, row) => {
      const current = storedInventory(row.inventory);
      const next = applyInventoryUpdate(current, update);
      const inventoryChanged = JSON.stringify(next) !== JSON.stringify(current);
      const conditions =
        update.full && !reportsConditions
          ? setCondition(row.conditions, INVENTORY_REPORTED_CONDITION, now)
          : row.conditions;
      if (!sameConditions(conditions, row.conditions))
        await tx.$executeRaw(Prisma.sql`
          UPDATE clusters SET conditions = ${storedConditionsJson(conditions)}::jsonb
          WHERE tenant_id = ${tenantId}::uuid AND id = ${clusterId}::uuid`);
      if (!inventoryChanged) return false;
      await tx.$executeRaw(Prisma.sql`
        UPDATE clusters SET inventory = ${JSON.stringify(next)}::jsonb, inventory_updated_at = ${now},
          inventory_revision = inventory_revision + 1, updated_at = ${now}
        WHERE tenant_id = ${tenantId}::uuid AND id = ${clusterId}::uuid`);
      return true;
    });
    return changed ?? false;
  }

  /**
   * Stores the conditions an agent reported (already validated). Never touches the inventory: an
   * agent that cannot read its cluster keeps the last good inventory in every snapshot.
   */
  async recordReportedConditions(
    tenantId: string,
    clusterId: string,
    reported: readonly ReportedCondition[],
    now: Date,
  ): Promise<void> {
    await this.withLockedCluster(tenantId, clusterId, async (tx, row) => {
      const next = applyReportedConditions(row.conditions, reported, now);
      if (sameConditions(next, row.conditions)) return;
      await tx.$executeRaw(Prisma.sql`
        UPDATE clusters SET conditions = ${storedConditionsJson(next)}::jsonb
        WHERE tenant_id = ${tenantId}::uuid AND id = ${clusterId}::uuid`);
    });
  }

  /**
   * Records an applied version. Versions only go up: a late ACK of an older snapshot (a stream
   * replaced mid-push) changes nothing. An ACK at or above the last NACKed version clears lastNack
   * (domain afterAck). Returns when that version was stored as desired, if the ACK moved the
   * cluster to its newest desired version (null for a stale or repeated ACK).
   *
   * Every member ACKs every change, so this is the agent stream's most frequent write: it reads the
   * row and updates it only if the columns the ACK depends on are still as read (compare-and-set,
   * two statements) instead of in a transaction holding the row lock (four). A concurrent change
   * of those columns (a NACK, a condition, a connection) makes it read again; after a few such
   * races it takes the lock.
   */
  async recordAck(tenantId: string, clusterId: string, version: number, now: Date): Promise<Date | null> {
    for (let attempt = 0; attempt < ACK_COMPARE_AND_SET_ATTEMPTS; attempt++) {
      const rows = await this.prisma.$queryRaw<AckRow[]>(Prisma.sql`
        SELECT conditions, conditions::text AS conditions_text, applied_version, desired_version, desired_at,
               last_nack_version
          FROM clusters WHERE tenant_id = ${tenantId}::uuid AND id = ${clusterId}::uuid`);
      const row = rows[0];
      if (!row) return null;
      const facts = ackFacts(row);
      const outcome = afterAck(facts, parseStoredConditions(row.conditions), version, now);
      if (!outcome.changed) return null;
      const updated = await this.prisma.$executeRaw(Prisma.sql`
        UPDATE clusters SET applied_version = ${outcome.appliedVersion}::int,
               conditions = ${storedConditionsJson(outcome.conditions)}::jsonb, updated_at = ${now}
               ${outcome.clearNack ? Prisma.sql`, last_nack_version = NULL, last_nack_reason = NULL, last_nack_at = NULL` : Prisma.empty}
         WHERE tenant_id = ${tenantId}::uuid AND id = ${clusterId}::uuid
           AND applied_version = ${facts.appliedVersion}::int
           AND last_nack_version IS NOT DISTINCT FROM ${facts.lastNackVersion}::int
           AND conditions = ${row.conditions_text}::jsonb`);
      if (updated === 1) return ackedDesiredAt(facts, row, version);
    }
    return this.recordAckLocked(tenantId, clusterId, version, now);
  }

  /**
   * ACKs of many of a tenant's clusters (those of one turn of the event loop: a change reaches a
   * fleet at once), as `recordAck` would record them one by one, in one read and one
   * compare-and-set write on plain `pg` instead of two Prisma statements each. An ACK whose row
   * another writer changed in between, or a second ACK of the same cluster, goes through
   * `recordAck` afterwards. Answers, per ACK, what `recordAck` answers.
   */
  async recordAcks(tenantId: string, acks: readonly ClusterAck[]): Promise<(Date | null)[]> {
    const rows = await this.pg.query<AckRow & { id: string }>(
      `SELECT id::text AS id, conditions, conditions::text AS conditions_text, applied_version,
              desired_version, desired_at, last_nack_version
         FROM clusters WHERE tenant_id = $1::uuid AND id = ANY($2::uuid[])`,
      [tenantId, [...new Set(acks.map((ack) => ack.clusterId))]],
    );
    const rowsById = new Map(rows.map((row) => [row.id, row]));
    const results: (Date | null)[] = acks.map(() => null);
    const writes: { index: number; desiredAt: Date | null; values: unknown[] }[] = [];
    const oneByOne: number[] = [];
    const batched = new Set<string>();
    acks.forEach((ack, index) => {
      const row = rowsById.get(ack.clusterId);
      if (!row) return;
      if (batched.has(ack.clusterId)) {
        oneByOne.push(index);
        return;
      }
      batched.add(ack.clusterId);
      const facts = ackFacts(row);
      const outcome = afterAck(facts, parseStoredConditions(row.conditions), ack.version, ack.now);
      if (!outcome.changed) return;
      writes.push({
        index,
        desiredAt: ackedDesiredAt(facts, row, ack.version),
        values: [
          ack.clusterId,
          outcome.appliedVersion,
          storedConditionsJson(outcome.conditions),
          outcome.clearNack,
          ack.now,
          facts.appliedVersion,
          facts.lastNackVersion,
          row.conditions_text,
        ],
      });
    });
    if (writes.length > 0) {
      const column = (position: number) => writes.map((write) => write.values[position]);
      const written = await this.pg.query<{ id: string }>(
        `UPDATE clusters AS c
            SET applied_version = v.applied, conditions = v.conditions::jsonb, updated_at = v.at,
                last_nack_version = CASE WHEN v.clear_nack THEN NULL ELSE c.last_nack_version END,
                last_nack_reason = CASE WHEN v.clear_nack THEN NULL ELSE c.last_nack_reason END,
                last_nack_at = CASE WHEN v.clear_nack THEN NULL ELSE c.last_nack_at END
           FROM unnest($2::uuid[], $3::int[], $4::text[], $5::bool[], $6::timestamptz[], $7::int[], $8::int[], $9::text[])
                AS v(id, applied, conditions, clear_nack, at, applied_before, nack_before, conditions_before)
          WHERE c.tenant_id = $1::uuid AND c.id = v.id AND c.applied_version = v.applied_before
            AND c.last_nack_version IS NOT DISTINCT FROM v.nack_before
            AND c.conditions = v.conditions_before::jsonb
      RETURNING c.id::text AS id`,
        [tenantId, ...[0, 1, 2, 3, 4, 5, 6, 7].map(column)],
      );
      const done = new Set(written.map((row) => row.id));
      for (const write of writes)
        if (done.has(acks[write.index]!.clusterId)) results[write.index] = write.desiredAt;
        else oneByOne.push(write.index);
    }
    for (const index of oneByOne.sort((a, b) => a - b)) {
      const ack = acks[index]!;
      results[index] = await this.recordAck(tenantId, ack.clusterId, ack.version, ack.now);
    }
    return results;
  }

  private async recordAckLocked(
    tenantId: string,
    clusterId: string,
    version: number,
    now: Date,
  ): Promise<Date | null> {
    const desiredAt = await this.withLockedCluster(tenantId, clusterId, async (tx, row) => {
      const outcome = afterAck(row, row.conditions, version, now);
      if (!outcome.changed) return null;
      await tx.cluster.updateMany({
        where: { tenantId, id: clusterId },
        data: {
          appliedVersion: outcome.appliedVersion,
          conditions: conditionsColumn(outcome.conditions),
          ...(outcome.clearNack ? { lastNackVersion: null, lastNackReason: null, lastNackAt: null } : {}),
        },
      });
      return ackedDesiredAt(row, { desired_version: row.desiredVersion, desired_at: row.desiredAt }, version);
    });
    return desiredAt ?? null;
  }

  /**
   * Clusters whose applied version is behind their desired one, every tenant (for operators'
   * metrics): how many, and the `limit` furthest behind. One query per scrape.
   */
  async clustersBehind(
    limit: number,
  ): Promise<{ total: number; furthest: { tenantId: string; clusterId: string; lag: number }[] }> {
    const rows = await this.prisma.$queryRaw<{ tenant_id: string; id: string; lag: number; total: bigint }[]>(
      Prisma.sql`
      SELECT tenant_id::text AS tenant_id, id::text AS id, desired_version - applied_version AS lag,
             count(*) OVER () AS total
        FROM clusters
       WHERE revoked_at IS NULL AND desired_version > applied_version
       ORDER BY desired_version - applied_version DESC, id
       LIMIT ${limit}::int`,
    );
    return {
      total: Number(rows[0]?.total ?? 0),
      furthest: rows.map((row) => ({ tenantId: row.tenant_id, clusterId: row.id, lag: Number(row.lag) })),
    };
  }

  async recordNack(
    tenantId: string,
    clusterId: string,
    version: number,
    reason: string,
    now: Date,
  ): Promise<void> {
    await this.withLockedCluster(tenantId, clusterId, async (tx, row) => {
      await tx.cluster.updateMany({
        where: { tenantId, id: clusterId },
        data: {
          lastNackVersion: version,
          lastNackReason: reason.slice(0, 2000),
          lastNackAt: now,
          conditions: conditionsColumn(afterNack(row, row.conditions, version, reason, now)),
        },
      });
    });
  }

  /**
   * Runs `work` in a transaction holding the cluster's row lock, with the columns the agent
   * stream's read-modify-write steps need; `missing` when the cluster is gone.
   */
  private async withLockedCluster<T>(
    tenantId: string,
    clusterId: string,
    work: (tx: Prisma.TransactionClient, row: LockedCluster) => Promise<T>,
  ): Promise<T | undefined> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<
        {
          inventory: unknown;
          conditions: unknown;
          applied_version: number;
          desired_version: number;
          desired_at: Date | null;
          last_nack_version: number | null;
          connection_id: string | null;
        }[]
      >(Prisma.sql`
        SELECT inventory, conditions, applied_version, desired_version, desired_at, last_nack_version, connection_id
          FROM clusters
         WHERE tenant_id = ${tenantId}::uuid AND id = ${clusterId}::uuid FOR UPDATE`);
      const row = rows[0];
      if (!row) return undefined;
      return work(tx, {
        inventory: row.inventory,
        conditions: parseStoredConditions(row.conditions),
        appliedVersion: Number(row.applied_version),
        desiredVersion: Number(row.desired_version),
        desiredAt: row.desired_at,
        lastNackVersion: row.last_nack_version === null ? null : Number(row.last_nack_version),
        connectionId: row.connection_id,
      });
    });
  }
}

/**
 * The stored inventory through its schema (the one decoding of this column on the agent path). A
 * row that does not parse counts as empty: the agent's next full report replaces it.
 */
function storedInventory(json: unknown): ClusterInventory {
  const parsed = clusterInventorySchema.safeParse(json);
  return parsed.success ? parsed.data : { namespaces: [], services: [] };
}

interface LockedCluster {
  inventory: unknown;
  conditions: ClusterCondition[];
  appliedVersion: number;
  desiredVersion: number;
  desiredAt: Date | null;
  lastNackVersion: number | null;
  connectionId: string | null;
}

function conditionsColumn(conditions: readonly ClusterCondition[]): Prisma.InputJsonValue {
  return JSON.parse(storedConditionsJson(conditions)) as Prisma.InputJsonValue;
}

function sameConditions(a: readonly ClusterCondition[], b: readonly ClusterCondition[]): boolean {
  return storedConditionsJson(a) === storedConditionsJson(b);
}
