-- Telemetry storage that ages well (issue 19): per-minute rows and hourly rollups in range-partitioned
-- tables (days for minutes, months for hours), so retention drops whole partitions instead of
-- DELETEs, and every telemetry key leads with tenant_id (ready to distribute by tenant, e.g. Citus,
-- docs/telemetry.md "Past one machine"). Written by hand: Prisma cannot express partitioning.
--
-- Works on a database with data: existing rows are copied into the new tables (ids and sequences
-- kept), first into each table's DEFAULT partition. The day and month partitions themselves are
-- created by the controller (TelemetryRepository.ensurePartitions: at start-up and by the hourly
-- `partitions` job, days ahead), which moves the rows of a new partition's range out of the
-- default partition. (Prisma's migration runner splits scripts at semicolons, so no PL/pgSQL here.)

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
-- Rows outside every created partition land here (until their partition is created, which moves
-- them, or retention DELETEs them).
CREATE TABLE "telemetry_minutes_default" PARTITION OF "telemetry_minutes" DEFAULT;

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

INSERT INTO "telemetry_hours" ("id", "tenant_id", "cluster_id", "hour", "source_cluster", "source_namespace", "source_service",
    "destination_namespace", "destination_service", "requests", "errors", "sketch")
  SELECT "id", "tenant_id", "cluster_id", "hour", "source_cluster", "source_namespace", "source_service",
    "destination_namespace", "destination_service", "requests", "errors", "sketch"
  FROM "telemetry_hours_unpartitioned";
DROP TABLE "telemetry_hours_unpartitioned";
