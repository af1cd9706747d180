import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  type EdgeTraffic,
  HOUR_MS,
  packSketch,
  partitionsCovering,
  type PartitionUnit,
  type ReadPlan,
  type SketchJSON,
  type TimeRange,
  unpackSketchHexList,
  type ValidTelemetryItem,
} from '@lattice/domain';
import { Prisma } from '../../generated/prisma/client';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { createPgPool } from '../../platform/database/pg-pool.factory';
import { PrismaService } from '../../platform/database/prisma.service';
import { TelemetryReadDatabase } from './telemetry-read.database';

/** Hour rows per INSERT statement: arrays travel as 11 parameters, so this only bounds statement size. */
const INSERT_CHUNK_ROWS = 1_000;
/** Groups of an hour unpacked and merged between two yields to the event loop (see recomputeHour). */
const ROLLUP_SLICE_GROUPS = 50;
/** Connections for hour recomputations (a run recomputes one hour at a time per replica). */
const MAINTENANCE_POOL_SIZE = 2;
/** How long an hour recomputation waits for a connection, and for any one statement or pause. */
const ROLLUP_WAIT_MS = 30_000;
const ROLLUP_TIMEOUT_MS = 120_000;
/** Rows per DELETE statement, so retention never holds long locks or builds huge WAL bursts. */
const DELETE_CHUNK_ROWS = 10_000;
/** Minute rows per chunk written to the COPY stream (bounds the size of one string). */
const COPY_CHUNK_ROWS = 2_000;

/** The partitioned telemetry tables (constant identifiers, never input). */
export type PartitionedTable = 'telemetry_minutes' | 'telemetry_hours';
const PARTITIONING: Record<PartitionedTable, { unit: PartitionUnit; column: Prisma.Sql }> = {
  telemetry_minutes: { unit: 'day', column: Prisma.raw('minute') },
  telemetry_hours: { unit: 'month', column: Prisma.raw('hour') },
};

/** The columns a COPY writes, in the order of copyRows' fields. */
const MINUTE_COPY = `COPY telemetry_minutes (tenant_id, cluster_id, minute, source_cluster, source_namespace, source_service,
  destination_namespace, destination_service, requests, errors, sketch) FROM STDIN`;

/** A validated batch on its way to storage. */
export interface BatchToStore {
  tenantId: string;
  clusterId: string;
  batchId: string;
  items: readonly ValidTelemetryItem[];
  /** Its minutes before this are marked late (see insertBatches); -Infinity for none. */
  lateBeforeMs: number;
}

/** What a stored row is keyed by: the edge of the domain's EdgeTraffic, without its totals. */
export type TrafficKey = Omit<EdgeTraffic, 'totals'>;

/** Counts summed by PostgreSQL; the sketches of the group as stored, merged by the caller. */
export interface TrafficGroup {
  requests: number;
  errors: number;
  sketches: SketchJSON[];
}

export interface HourRow extends TrafficKey {
  requests: number;
  errors: number;
  sketch: SketchJSON;
}

export type EdgeGroup = TrafficKey & TrafficGroup;
export type DestinationGroup = Pick<TrafficKey, 'clusterId' | 'destinationNamespace' | 'destinationService'> &
  TrafficGroup;
export type SeriesGroup = { bucket: number } & Pick<TrafficKey, 'clusterId' | 'destinationNamespace'> &
  TrafficGroup;

export interface TrafficFilter {
  /** Reporting clusters (where the destinations run). */
  clusterIds: readonly string[];
  /** Also rows whose caller ran in one of these clusters (mesh names), whatever cluster reported them. */
  orSourceClusters?: readonly string[];
  destinationService?: string;
}

interface RawGroup {
  cluster_id: string;
  source_cluster: string;
  source_namespace: string;
  source_service: string;
  destination_namespace: string;
  destination_service: string;
  bucket: number;
  /** bigint sums, which pg hands over as text. */
  requests: string;
  errors: string;
  /** string_agg of the group's sketches as hex (unpackSketchHexList). */
  sketches: string;
}

/**
 * Telemetry storage in raw SQL: minute rows go in by COPY (insertBatches), their sketches in the
 * packed form they were checked in (packed-sketch.ts); reads group in PostgreSQL and hand each
 * group's sketches, unpacked, to the caller to merge. The tenant id is the first argument of every
 * tenant-owned query.
 */
@Injectable()
export class TelemetryRepository implements OnModuleDestroy {
  /**
   * The ingest's own connections (plain pg, for COPY): as many as batches are stored at once
   * (LATTICE_TELEMETRY_INGEST_CONCURRENCY), so ingest never takes the pool queries and handshakes use.
   */
  private readonly ingestPool: Pool;
  /** Hour recomputations' own connections (plain pg, as ingest: no Prisma per group). */
  private readonly maintenancePool: Pool;

  constructor(
    private readonly prisma: PrismaService,
    /** Telemetry queries (series, edges, destinations) read here: DATABASE_READ_URL or the primary. */
    private readonly reads: TelemetryReadDatabase,
    @Inject(RUNTIME_CONFIG) config: RuntimeConfig,
  ) {
    this.ingestPool = createPgPool(config.databaseUrl, {
      max: config.env.LATTICE_TELEMETRY_INGEST_CONCURRENCY,
      idleTimeoutMillis: 30_000,
    });
    this.maintenancePool = createPgPool(config.databaseUrl, {
      max: MAINTENANCE_POOL_SIZE,
      idleTimeoutMillis: 30_000,
      // The bounds the rollup's Prisma transaction had: 30 s to get a connection, 120 s of work.
      connectionTimeoutMillis: ROLLUP_WAIT_MS,
      statement_timeout: ROLLUP_TIMEOUT_MS,
      idle_in_transaction_session_timeout: ROLLUP_TIMEOUT_MS,
    });
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.ingestPool.end(), this.maintenancePool.end()]);
  }

  /** Stores one batch (see insertBatches); false when its id was seen before. */
  async insertBatch(
    tenantId: string,
    clusterId: string,
    batchId: string,
    items: readonly ValidTelemetryItem[],
    lateBeforeMs = -Infinity,
  ): Promise<boolean> {
    const [stored] = await this.insertBatches([{ tenantId, clusterId, batchId, items, lateBeforeMs }]);
    return stored ?? false;
  }

  /**
   * Stores batches (of any tenants and clusters) in one transaction, each once: the result says
   * per batch whether it was stored (false: its id was seen before, or earlier in the same call).
   * The minutes of a stored batch before its `lateBeforeMs` are marked in telemetry_late_minutes,
   * so SLO evaluation, which has already passed them, recounts them: never lost, and a resent batch
   * (a duplicate) marks nothing.
   *
   * On an ingest connection: the batch ids go in first (one INSERT, ON CONFLICT DO NOTHING, in key
   * order so two concurrent calls cannot deadlock; a concurrent twin waits on the key, then inserts
   * nothing), then the minute rows of the new batches with one COPY (text format, built straight
   * from the validated items: no per-row statement, parameter or JSON array to unpack) and the late
   * marks with one INSERT. Storing several batches per transaction (the ingest service groups those
   * that wait) shares the round trips and the commit.
   */
  async insertBatches(batches: readonly BatchToStore[]): Promise<boolean[]> {
    if (batches.length === 0) return [];
    return inTransaction(this.ingestPool, async (client) => {
      const inserted = await client.query<{ key: string }>(
        `INSERT INTO telemetry_batches (tenant_id, cluster_id, batch_id, item_count)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[]) ORDER BY 1, 2, 3
         ON CONFLICT DO NOTHING RETURNING cluster_id::text || ' ' || batch_id AS key`,
        [
          batches.map((batch) => batch.tenantId),
          batches.map((batch) => batch.clusterId),
          batches.map((batch) => batch.batchId),
          batches.map((batch) => batch.items.length),
        ],
      );
      const fresh = new Set(inserted.rows.map((row) => row.key));
      // The first of twins in one call is the stored one.
      const stored = batches.map((batch) =>
        fresh.delete(`${batch.clusterId.toLowerCase()} ${batch.batchId}`),
      );
      const toStore = batches.filter((_batch, index) => stored[index]);
      // All seen before: nothing was inserted, the commit is empty.
      if (toStore.length === 0) return stored;
      if (toStore.some((batch) => batch.items.length > 0)) await copyMinuteRows(client, toStore);
      const late = lateMinutes(toStore);
      if (late.tenantIds.length > 0) {
        await client.query(
          `INSERT INTO telemetry_late_minutes (tenant_id, minute)
           SELECT t, to_timestamp(m / 1000.0) FROM unnest($1::uuid[], $2::bigint[]) AS l(t, m) ORDER BY 1, 2
           ON CONFLICT DO NOTHING`,
          [late.tenantIds, late.minutes],
        );
      }
      return stored;
    });
  }

  /**
   * Creates the partitions of `table` covering [fromMs, toMs) that do not exist yet (UTC days for
   * minutes, months for hours). A new partition is created detached, filled with the rows of its
   * range that sit in the default partition (written before it existed), then attached. Writes to the
   * table wait for that (SHARE ROW EXCLUSIVE on the parent), reads go on. An advisory
   * lock serialises concurrent creators (two replicas' jobs). Returns how many were created.
   */
  async ensurePartitions(table: PartitionedTable, fromMs: number, toMs: number): Promise<number> {
    let created = 0;
    const { unit, column } = PARTITIONING[table];
    for (const range of partitionsCovering(table, unit, fromMs, toMs)) {
      const done = await this.prisma.$transaction(
        async (tx) => {
          await tx.$executeRaw(
            Prisma.sql`SELECT pg_advisory_xact_lock(hashtextextended(${`telemetry-partition:${range.name}`}, 0))`,
          );
          const exists = await tx.$queryRaw<{ found: boolean }[]>(
            Prisma.sql`SELECT to_regclass(${range.name}) IS NOT NULL AS found`,
          );
          if (exists[0]?.found) return false;
          // Writers wait until the partition is attached: an INSERT already routed to the default
          // partition while ATTACH ran would fail its partition constraint once ATTACH commits.
          // SHARE ROW EXCLUSIVE conflicts with writers' ROW EXCLUSIVE only; reads go on.
          await tx.$executeRaw(Prisma.sql`LOCK TABLE ${Prisma.raw(table)} IN SHARE ROW EXCLUSIVE MODE`);
          // Identifiers and bounds are built from constants and dates, never from input; DDL takes
          // no bind parameters.
          const partition = Prisma.raw(`"${range.name}"`);
          const parent = Prisma.raw(table);
          const from = Prisma.raw(`'${iso(range.fromMs)}'`);
          const to = Prisma.raw(`'${iso(range.toMs)}'`);
          await tx.$executeRaw(
            Prisma.sql`CREATE TABLE ${partition} (LIKE ${parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
          );
          await tx.$executeRaw(Prisma.sql`
            WITH moved AS (
              DELETE FROM ${Prisma.raw(`${table}_default`)} WHERE ${column} >= ${from}::timestamptz AND ${column} < ${to}::timestamptz RETURNING *
            ) INSERT INTO ${partition} SELECT * FROM moved`);
          await tx.$executeRaw(
            Prisma.sql`ALTER TABLE ${parent} ATTACH PARTITION ${partition} FOR VALUES FROM (${from}) TO (${to})`,
          );
          return true;
        },
        { timeout: 120_000, maxWait: 30_000 },
      );
      if (done) created++;
    }
    return created;
  }

  /** Drops the partitions of `table` whose range ends at or before `cutoffMs`; returns their names. */
  async dropPartitionsBefore(table: PartitionedTable, cutoffMs: number): Promise<string[]> {
    const expired = await this.prisma.$queryRaw<{ name: string }[]>(Prisma.sql`
      SELECT name FROM (
        SELECT c.relname AS name,
               substring(pg_get_expr(c.relpartbound, c.oid) FROM ${"TO \\('([^']+)'\\)"})::timestamptz AS upper_bound
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = ${table}::regclass
      ) p
      WHERE upper_bound <= ${iso(cutoffMs)}::timestamptz ORDER BY name`);
    for (const { name } of expired) {
      // A name read from the catalog, quoted as an identifier.
      await this.prisma.$executeRaw(
        Prisma.sql`DROP TABLE IF EXISTS ${Prisma.raw(`"${name.replaceAll('"', '""')}"`)}`,
      );
    }
    return expired.map((row) => row.name);
  }

  /** The partitions of `table` (not the default one), oldest first. */
  async partitions(table: PartitionedTable): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ name: string }[]>(Prisma.sql`
      SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = ${table}::regclass AND c.relname <> ${`${table}_default`} ORDER BY c.relname`);
    return rows.map((row) => row.name);
  }

  /** Series of one destination service, grouped by bucket, cluster and destination namespace. */
  async seriesGroups(
    tenantId: string,
    filter: TrafficFilter,
    plan: ReadPlan,
    bucketFromMs: number,
    stepMs: number,
  ): Promise<SeriesGroup[]> {
    if (filter.clusterIds.length === 0) return [];
    const rows = await this.reads.query<RawGroup>(Prisma.sql`
      SELECT floor((extract(epoch FROM t.at) * 1000 - ${bucketFromMs}::float8) / ${stepMs}::float8)::int AS bucket,
             t.cluster_id::text AS cluster_id, t.destination_namespace, ${GROUP_TOTALS}
      FROM (${trafficSource(tenantId, filter, plan)}) t
      GROUP BY 1, 2, 3`);
    return rows.map((row) => ({
      bucket: row.bucket,
      clusterId: row.cluster_id,
      destinationNamespace: row.destination_namespace,
      ...counts(row),
    }));
  }

  /** Traffic per edge (caller in its cluster -> callee, per reporting cluster) over the planned range. */
  async edgeGroups(tenantId: string, filter: TrafficFilter, plan: ReadPlan): Promise<EdgeGroup[]> {
    if (filter.clusterIds.length === 0) return [];
    const rows = await this.reads.query<RawGroup>(edgeGroupsOf(trafficSource(tenantId, filter, plan)));
    return rows.map(edgeGroup);
  }

  /** Traffic per destination (cluster, namespace, service) over the planned range. */
  async destinationGroups(
    tenantId: string,
    filter: TrafficFilter,
    plan: ReadPlan,
  ): Promise<DestinationGroup[]> {
    if (filter.clusterIds.length === 0) return [];
    const rows = await this.reads.query<RawGroup>(Prisma.sql`
      SELECT t.cluster_id::text AS cluster_id, t.destination_namespace, t.destination_service, ${GROUP_TOTALS}
      FROM (${trafficSource(tenantId, filter, plan)}) t
      GROUP BY 1, 2, 3`);
    return rows.map((row) => ({
      clusterId: row.cluster_id,
      destinationNamespace: row.destination_namespace,
      destinationService: row.destination_service,
      ...counts(row),
    }));
  }

  /**
   * Recomputes one tenant-hour on a connection of its own (plain pg, like ingest): an advisory lock
   * serialises recomputations of the same hour (a scheduled run and a late-data run), then the
   * hour's rows are replaced by `rollUp` of its minutes grouped by key. An hour of a large tenant is
   * tens of thousands of minute rows: they are unpacked and merged a slice of groups at a time,
   * yielding to the event loop in between, so API requests and agent streams on the same process
   * are not held up for the whole hour's work.
   */
  async recomputeHour(
    tenantId: string,
    hourMs: number,
    rollUp: (minutes: EdgeGroup[]) => HourRow[],
  ): Promise<number> {
    return inTransaction(this.maintenancePool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `telemetry-hour:${tenantId}:${hourMs}`,
      ]);
      const minutesOfHour = edgeGroupsOf(Prisma.sql`
        SELECT * FROM telemetry_minutes
        WHERE tenant_id = ${tenantId}::uuid AND minute >= ${iso(hourMs)}::timestamptz AND minute < ${iso(hourMs + HOUR_MS)}::timestamptz`);
      const grouped = await client.query<RawGroup>(minutesOfHour.text, minutesOfHour.values);
      const rows: HourRow[] = [];
      for (let from = 0; from < grouped.rows.length; from += ROLLUP_SLICE_GROUPS) {
        rows.push(...rollUp(grouped.rows.slice(from, from + ROLLUP_SLICE_GROUPS).map(edgeGroup)));
        await new Promise((resolve) => setImmediate(resolve));
      }
      await client.query(
        'DELETE FROM telemetry_hours WHERE tenant_id = $1::uuid AND hour = $2::timestamptz',
        [tenantId, iso(hourMs)],
      );
      for (let from = 0; from < rows.length; from += INSERT_CHUNK_ROWS) {
        const statement = insertHourRows(tenantId, hourMs, rows.slice(from, from + INSERT_CHUNK_ROWS));
        await client.query(statement.text, statement.values);
      }
      return rows.length;
    });
  }

  async tenantIds(): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>(
      Prisma.sql`SELECT id::text AS id FROM tenants ORDER BY id`,
    );
    return rows.map((row) => row.id);
  }

  /** Start of the earliest stored minute of a tenant, or null. */
  async earliestMinute(tenantId: string): Promise<number | null> {
    const rows = await this.prisma.$queryRaw<{ minute: Date | null }[]>(
      Prisma.sql`SELECT min(minute) AS minute FROM telemetry_minutes WHERE tenant_id = ${tenantId}::uuid`,
    );
    return rows[0]?.minute ? rows[0].minute.getTime() : null;
  }

  /**
   * Deletes expired minutes from the default partition only: rows written where no partition
   * existed yet (normally none; the partitions job creates them ahead). Whole partitions are
   * dropped instead (dropPartitionsBefore).
   */
  deleteDefaultMinutesBefore(cutoffMs: number): Promise<number> {
    return this.deleteInChunks(Prisma.sql`
      DELETE FROM telemetry_minutes_default WHERE (tenant_id, minute, id) IN (
        SELECT tenant_id, minute, id FROM telemetry_minutes_default WHERE minute < ${iso(cutoffMs)}::timestamptz LIMIT ${DELETE_CHUNK_ROWS}::int)`);
  }

  /** As deleteDefaultMinutesBefore, for hour rows. */
  deleteDefaultHoursBefore(cutoffMs: number): Promise<number> {
    return this.deleteInChunks(Prisma.sql`
      DELETE FROM telemetry_hours_default WHERE (tenant_id, hour, id) IN (
        SELECT tenant_id, hour, id FROM telemetry_hours_default WHERE hour < ${iso(cutoffMs)}::timestamptz LIMIT ${DELETE_CHUNK_ROWS}::int)`);
  }

  /** Batch ids only need to outlive the minutes they carried (older minutes are refused anyway). */
  deleteBatchIdsBefore(cutoffMs: number): Promise<number> {
    return this.deleteInChunks(Prisma.sql`
      DELETE FROM telemetry_batches WHERE (tenant_id, cluster_id, batch_id) IN (
        SELECT tenant_id, cluster_id, batch_id FROM telemetry_batches WHERE received_at < ${iso(cutoffMs)}::timestamptz LIMIT ${DELETE_CHUNK_ROWS}::int)`);
  }

  /** Runs a DELETE of at most DELETE_CHUNK_ROWS rows until it deletes fewer. */
  private async deleteInChunks(statement: Prisma.Sql): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.prisma.$executeRaw(statement);
      total += deleted;
      if (deleted < DELETE_CHUNK_ROWS) return total;
    }
  }
}

/**
 * Writes the minute rows of batches into an open transaction with one COPY (text format). Each
 * batch's tenant and cluster prefix and each minute's timestamp are formatted once; names are
 * escaped only when they hold one of COPY's special characters (Kubernetes names never do).
 */
async function copyMinuteRows(client: PoolClient, batches: readonly BatchToStore[]): Promise<void> {
  const minutes = new Map<number, string>();
  // Names repeat across a group's rows (a few services, many minutes): each is escaped once.
  const names = new Map<string, string>();
  const name = (value: string): string => {
    let text = names.get(value);
    if (text === undefined) names.set(value, (text = copyText(value)));
    return text;
  };
  function* chunks(): Generator<string> {
    let chunk = '';
    let rows = 0;
    for (const batch of batches) {
      const prefix = `${batch.tenantId}\t${batch.clusterId}\t`;
      for (const item of batch.items) {
        let minute = minutes.get(item.minuteUnixMs);
        if (minute === undefined) {
          minute = new Date(item.minuteUnixMs).toISOString();
          minutes.set(item.minuteUnixMs, minute);
        }
        chunk += `${prefix}${minute}\t${name(item.sourceCluster)}\t${name(item.sourceNamespace)}\t${name(item.sourceService)}\t${name(item.destinationNamespace)}\t${name(item.destinationService)}\t${item.requests}\t${item.errors}\t\\\\x${hexOf(item.latencyPacked)}\n`;
        if (++rows % COPY_CHUNK_ROWS === 0) {
          yield chunk;
          chunk = '';
        }
      }
    }
    if (chunk !== '') yield chunk;
  }
  await pipeline(Readable.from(chunks()), client.query(copyFrom(MINUTE_COPY)));
}

/**
 * Runs `work` in a transaction on a connection of `pool`: committed when it returns, rolled back
 * when it throws. A connection that failed (mid-COPY, say) is not reused.
 */
async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    failure = error as Error;
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release(failure);
  }
}

/** The (tenant, minute) pairs to mark late, once each. */
function lateMinutes(batches: readonly BatchToStore[]): { tenantIds: string[]; minutes: number[] } {
  const seen = new Map<string, Set<number>>();
  const result = { tenantIds: [] as string[], minutes: [] as number[] };
  for (const batch of batches) {
    let minutes = seen.get(batch.tenantId);
    if (!minutes) seen.set(batch.tenantId, (minutes = new Set()));
    for (const item of batch.items) {
      if (item.minuteUnixMs >= batch.lateBeforeMs || minutes.has(item.minuteUnixMs)) continue;
      minutes.add(item.minuteUnixMs);
      result.tenantIds.push(batch.tenantId);
      result.minutes.push(item.minuteUnixMs);
    }
  }
  return result;
}

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A packed sketch as hex (COPY's bytea text form after its `\\x`), through a view, not a copy. */
function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** A value in COPY's text format: backslash, tab, newline and carriage return escaped. */
export function copyText(value: string): string {
  return COPY_SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (ch) => COPY_ESCAPES[ch]!) : value;
}

/**
 * One multi-row INSERT: every column travels as one typed array parameter (unnest), the packed
 * sketches as hex text.
 */
function insertHourRows(tenantId: string, hourMs: number, rows: readonly HourRow[]): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO telemetry_hours
      (tenant_id, cluster_id, hour, source_cluster, source_namespace, source_service, destination_namespace, destination_service, requests, errors, sketch)
    SELECT ${tenantId}::uuid, r.cluster_id, ${iso(hourMs)}::timestamptz, r.source_cluster, r.source_namespace, r.source_service, r.destination_namespace,
           r.destination_service, r.requests, r.errors, decode(r.sketch, 'hex')
    FROM unnest(
      ${rows.map((row) => row.clusterId)}::uuid[],
      ${rows.map((row) => row.sourceCluster)}::text[],
      ${rows.map((row) => row.sourceNamespace)}::text[],
      ${rows.map((row) => row.sourceService)}::text[],
      ${rows.map((row) => row.destinationNamespace)}::text[],
      ${rows.map((row) => row.destinationService)}::text[],
      ${rows.map((row) => row.requests)}::bigint[],
      ${rows.map((row) => row.errors)}::bigint[],
      ${rows.map((row) => packSketch(row.sketch).toString('hex'))}::text[]
    ) AS r(cluster_id, source_cluster, source_namespace, source_service, destination_namespace, destination_service, requests, errors, sketch)`;
}

/** The two tables a query reads, each with its time column (constant identifiers, never input). */
const MINUTE_ROWS = { table: Prisma.raw('telemetry_minutes'), at: Prisma.raw('minute') };
const HOUR_ROWS = { table: Prisma.raw('telemetry_hours'), at: Prisma.raw('hour') };

/**
 * The rows a query reads, as one subquery: minute rows of the planned minute ranges and hour rows
 * of the planned hour range (disjoint in time), under the tenant and cluster filter.
 */
function trafficSource(tenantId: string, filter: TrafficFilter, plan: ReadPlan): Prisma.Sql {
  const clusterCondition = filter.orSourceClusters?.length
    ? Prisma.sql`(cluster_id = ANY(${filter.clusterIds}::uuid[]) OR source_cluster = ANY(${filter.orSourceClusters}::text[]))`
    : Prisma.sql`cluster_id = ANY(${filter.clusterIds}::uuid[])`;
  const serviceCondition =
    filter.destinationService === undefined
      ? Prisma.empty
      : Prisma.sql`AND destination_service = ${filter.destinationService}`;
  const select = (rows: typeof MINUTE_ROWS, ranges: readonly TimeRange[]) => {
    const within = Prisma.join(
      ranges.map(
        (range) =>
          Prisma.sql`(${rows.at} >= ${iso(range.fromMs)}::timestamptz AND ${rows.at} < ${iso(range.toMs)}::timestamptz)`,
      ),
      ' OR ',
    );
    return Prisma.sql`SELECT ${rows.at} AS at, cluster_id, source_cluster, source_namespace, source_service, destination_namespace, destination_service, requests, errors, sketch
      FROM ${rows.table}
      WHERE tenant_id = ${tenantId}::uuid AND ${clusterCondition} ${serviceCondition} AND (${within})`;
  };
  const parts: Prisma.Sql[] = [];
  if (plan.minutes.length > 0) parts.push(select(MINUTE_ROWS, plan.minutes));
  if (plan.hours) parts.push(select(HOUR_ROWS, [plan.hours]));
  return Prisma.join(parts, ' UNION ALL ');
}

/** A group's sums and its sketches as hex (unpackSketchHexList): what each grouped read selects after its key. */
const GROUP_TOTALS = Prisma.raw(
  `sum(t.requests)::bigint AS requests, sum(t.errors)::bigint AS errors, string_agg(encode(t.sketch, 'hex'), ',') AS sketches`,
);

/** The rows of `source` grouped by traffic key (the edge reads and the hour rollup). */
function edgeGroupsOf(source: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    SELECT t.cluster_id::text AS cluster_id, t.source_cluster, t.source_namespace, t.source_service,
           t.destination_namespace, t.destination_service, ${GROUP_TOTALS}
    FROM (${source}) t
    GROUP BY 1, 2, 3, 4, 5, 6`;
}

function edgeGroup(row: RawGroup): EdgeGroup {
  return { ...trafficKey(row), ...counts(row) };
}

function trafficKey(row: RawGroup): TrafficKey {
  return {
    clusterId: row.cluster_id,
    sourceCluster: row.source_cluster,
    sourceNamespace: row.source_namespace,
    sourceService: row.source_service,
    destinationNamespace: row.destination_namespace,
    destinationService: row.destination_service,
  };
}

function counts(row: RawGroup): TrafficGroup {
  return {
    requests: Number(row.requests),
    errors: Number(row.errors),
    sketches: unpackSketchHexList(row.sketches),
  };
}

function iso(unixMs: number): string {
  return new Date(unixMs).toISOString();
}
