-- DropIndex
DROP INDEX "telemetry_hours_tenant_id_cluster_id_hour_source_namespace__key";

-- AlterTable
ALTER TABLE "telemetry_minutes" ADD COLUMN     "source_cluster" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "telemetry_hours" ADD COLUMN     "source_cluster" TEXT NOT NULL DEFAULT '';

-- CreateIndex
CREATE UNIQUE INDEX "telemetry_hours_tenant_id_cluster_id_hour_source_cluster_so_key" ON "telemetry_hours"("tenant_id", "cluster_id", "hour", "source_cluster", "source_namespace", "source_service", "destination_namespace", "destination_service");

