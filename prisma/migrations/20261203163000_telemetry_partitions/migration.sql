-- Telemetry storage that ages well (issue 19): per-minute rows and hourly rollups in range-partitioned
-- tables (days for minutes, months for hours), so retention drops whole partitions instead of
-- DELETEs, and every telemetry key leads with tenant_id (ready to distribute by tenant, e.g. Citus;
-- docs/telemetry.md "Past one machine"). Written by hand: Prisma cannot express partitioning. Works
-- on a database with data: existing rows are moved into the new tables, ids and sequences kept.

-- Creates the partitions of `parent` that cover [from_at, to_at): days for telemetry_minutes, months
-- for telemetry_hours (UTC), named <parent>_pYYYYMMDD / <parent>_pYYYYMM. Rows of the range that sit in
-- the default partition (written before their partition existed) are moved into the new one. A new
-- partition is filled while detached and then attached, which locks the parent only in SHARE UPDATE
-- EXCLUSIVE mode (queries and inserts go on). Returns how many partitions were created.
CREATE FUNCTION telemetry_ensure_partitions(parent text, from_at timestamptz, to_at timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  unit text;
  time_column text;
  name_format text;
  lower_bound timestamp;
  upper_bound timestamp;
  partition_name text;
  created integer := 0;
BEGIN
  CASE parent
    WHEN 'telemetry_minutes' THEN unit := 'day'; time_column := 'minute'; name_format := 'YYYYMMDD';
    WHEN 'telemetry_hours' THEN unit := 'month'; time_column := 'hour'; name_format := 'YYYYMM';
    ELSE RAISE EXCEPTION 'telemetry_ensure_partitions: % is not a partitioned telemetry table', parent;
  END CASE;
  IF from_at IS NULL OR to_at IS NULL THEN RETURN 0; END IF;
  lower_bound := date_trunc(unit, from_at AT TIME ZONE 'UTC');
  WHILE lower_bound < (to_at AT TIME ZONE 'UTC') LOOP
    upper_bound := lower_bound + ('1 ' || unit)::interval;
    partition_name := parent || '_p' || to_char(lower_bound, name_format);
    IF to_regclass(partition_name) IS NULL THEN
      -- Serialises concurrent creators (two replicas' jobs, an ingest) of the same partition.
      PERFORM pg_advisory_xact_lock(hashtextextended('telemetry-partition:' || partition_name, 0));
      IF to_regclass(partition_name) IS NULL THEN
        EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', partition_name, parent);
        EXECUTE format(
          'WITH moved AS (DELETE FROM %I WHERE %I >= %L AND %I < %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
          parent || '_default', time_column, lower_bound AT TIME ZONE 'UTC', time_column, upper_bound AT TIME ZONE 'UTC', partition_name);
        EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
          parent, partition_name, lower_bound AT TIME ZONE 'UTC', upper_bound AT TIME ZONE 'UTC');
        created := created + 1;
      END IF;
    END IF;
    lower_bound := upper_bound;
  END LOOP;
  RETURN created;
END $$;

-- Drops the partitions of `parent` whose whole range ends at or before `cutoff` (retention without
-- DELETE: no dead tuples, no vacuum, no WAL per row). The default partition is never dropped.
-- Returns the names of the dropped partitions.
CREATE FUNCTION telemetry_drop_partitions_before(parent text, cutoff timestamptz)
RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  part record;
BEGIN
  IF parent NOT IN ('telemetry_minutes', 'telemetry_hours') THEN
    RAISE EXCEPTION 'telemetry_drop_partitions_before: % is not a partitioned telemetry table', parent;
  END IF;
  FOR part IN
    SELECT c.oid::regclass::text AS name,
           substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \(''([^'']+)''\)')::timestamptz AS upper_bound
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = parent::regclass
  LOOP
    IF part.upper_bound IS NOT NULL AND part.upper_bound <= cutoff THEN
      EXECUTE format('DROP TABLE %s', part.name);
      RETURN NEXT part.name;
    END IF;
  END LOOP;
END $$;

-- telemetry_batches: the idempotency key leads with tenant_id too (a cluster belongs to one tenant,
-- so the key is as unique as before).
ALTER TABLE "telemetry_batches" DROP CONSTRAINT "telemetry_batches_pkey";
ALTER TABLE "telemetry_batches" ADD CONSTRAINT "telemetry_batches_pkey" PRIMARY KEY ("tenant_id", "cluster_id", "batch_id");

-- telemetry_minutes -> partitioned by day.
ALTER TABLE "telemetry_minutes" RENAME TO "telemetry_minutes_unpartitioned";
ALTER INDEX "telemetry_minutes_pkey" RENAME TO "telemetry_minutes_unpartitioned_pkey";
DROP INDEX "telemetry_minutes_tenant_id_destination_service_minute_idx";
DROP INDEX "telemetry_minutes_tenant_id_minute_idx";
ALTER SEQUENCE "telemetry_minutes_id_seq" OWNED BY NONE;
ALTER TABLE "telemetry_minutes_unpartitioned" ALTER COLUMN "id" DROP DEFAULT;

CREATE TABLE "telemetry_minutes" (
    "id" BIGINT NOT NULL DEFAULT nextval('telemetry_minutes_id_seq'),
    "tenant_id" UUID NOT NULL,
    "cluster_id" UUID NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "source_cluster" TEXT NOT NULL DEFAULT '',
    "source_namespace" TEXT NOT NULL,
    "source_service" TEXT NOT NULL,
    "destination_namespace" TEXT NOT NULL,
    "destination_service" TEXT NOT NULL,
    "requests" BIGINT NOT NULL,
    "errors" BIGINT NOT NULL,
    "sketch" JSONB NOT NULL,

    CONSTRAINT "telemetry_minutes_pkey" PRIMARY KEY ("tenant_id", "minute", "id")
) PARTITION BY RANGE ("minute");
ALTER SEQUENCE "telemetry_minutes_id_seq" OWNED BY "telemetry_minutes"."id";
CREATE INDEX "telemetry_minutes_tenant_id_destination_service_minute_idx" ON "telemetry_minutes"("tenant_id", "destination_service", "minute");
-- Rows outside every created partition (far in the past, say) land here; retention DELETEs them.
CREATE TABLE "telemetry_minutes_default" PARTITION OF "telemetry_minutes" DEFAULT;

-- Partitions for the stored rows (at most 30 days back; older ones wait in the default partition for
-- retention) and a few days ahead (then the hourly maintenance job keeps creating them ahead).
SELECT telemetry_ensure_partitions('telemetry_minutes',
  greatest((SELECT min("minute") FROM "telemetry_minutes_unpartitioned"), now() - interval '30 days'),
  now() + interval '3 days');
SELECT telemetry_ensure_partitions('telemetry_minutes', now() - interval '8 days', now() + interval '3 days');
INSERT INTO "telemetry_minutes" ("id", "tenant_id", "cluster_id", "minute", "source_cluster", "source_namespace", "source_service",
    "destination_namespace", "destination_service", "requests", "errors", "sketch")
  SELECT "id", "tenant_id", "cluster_id", "minute", "source_cluster", "source_namespace", "source_service",
    "destination_namespace", "destination_service", "requests", "errors", "sketch"
  FROM "telemetry_minutes_unpartitioned";
DROP TABLE "telemetry_minutes_unpartitioned";

-- telemetry_hours -> partitioned by month.
ALTER TABLE "telemetry_hours" RENAME TO "telemetry_hours_unpartitioned";
ALTER INDEX "telemetry_hours_pkey" RENAME TO "telemetry_hours_unpartitioned_pkey";
DROP INDEX "telemetry_hours_tenant_id_destination_service_hour_idx";
DROP INDEX "telemetry_hours_tenant_id_cluster_id_hour_source_cluster_so_key";
ALTER SEQUENCE "telemetry_hours_id_seq" OWNED BY NONE;
ALTER TABLE "telemetry_hours_unpartitioned" ALTER COLUMN "id" DROP DEFAULT;

CREATE TABLE "telemetry_hours" (
    "id" BIGINT NOT NULL DEFAULT nextval('telemetry_hours_id_seq'),
    "tenant_id" UUID NOT NULL,
    "cluster_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "source_cluster" TEXT NOT NULL DEFAULT '',
    "source_namespace" TEXT NOT NULL,
    "source_service" TEXT NOT NULL,
    "destination_namespace" TEXT NOT NULL,
    "destination_service" TEXT NOT NULL,
    "requests" BIGINT NOT NULL,
    "errors" BIGINT NOT NULL,
    "sketch" JSONB NOT NULL,

    CONSTRAINT "telemetry_hours_pkey" PRIMARY KEY ("tenant_id", "hour", "id")
) PARTITION BY RANGE ("hour");
ALTER SEQUENCE "telemetry_hours_id_seq" OWNED BY "telemetry_hours"."id";
CREATE INDEX "telemetry_hours_tenant_id_destination_service_hour_idx" ON "telemetry_hours"("tenant_id", "destination_service", "hour");
CREATE UNIQUE INDEX "telemetry_hours_tenant_id_cluster_id_hour_source_cluster_so_key" ON "telemetry_hours"("tenant_id", "cluster_id", "hour", "source_cluster", "source_namespace", "source_service", "destination_namespace", "destination_service");
CREATE TABLE "telemetry_hours_default" PARTITION OF "telemetry_hours" DEFAULT;

SELECT telemetry_ensure_partitions('telemetry_hours',
  greatest((SELECT min("hour") FROM "telemetry_hours_unpartitioned"), now() - interval '400 days'),
  now() + interval '2 months');
SELECT telemetry_ensure_partitions('telemetry_hours', now() - interval '100 days', now() + interval '2 months');
INSERT INTO "telemetry_hours" ("id", "tenant_id", "cluster_id", "hour", "source_cluster", "source_namespace", "source_service",
    "destination_namespace", "destination_service", "requests", "errors", "sketch")
  SELECT "id", "tenant_id", "cluster_id", "hour", "source_cluster", "source_namespace", "source_service",
    "destination_namespace", "destination_service", "requests", "errors", "sketch"
  FROM "telemetry_hours_unpartitioned";
DROP TABLE "telemetry_hours_unpartitioned";
