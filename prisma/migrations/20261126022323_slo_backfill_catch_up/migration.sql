-- CreateTable
CREATE TABLE "slo_series" (
    "slo_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "basis" INTEGER NOT NULL,
    "covered_from" TIMESTAMPTZ(3) NOT NULL,
    "backfill_to" TIMESTAMPTZ(3) NOT NULL,
    "minute_resolution_from" TIMESTAMPTZ(3) NOT NULL,
    "caught_up_until" TIMESTAMPTZ(3) NOT NULL,
    "evaluated_until" TIMESTAMPTZ(3) NOT NULL,
    "origin_requests" BIGINT NOT NULL,
    "origin_bad_requests" BIGINT NOT NULL,
    "origin_bad_minutes" BIGINT NOT NULL,

    CONSTRAINT "slo_series_pkey" PRIMARY KEY ("slo_id")
);

-- CreateTable
CREATE TABLE "telemetry_late_minutes" (
    "tenant_id" UUID NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "telemetry_late_minutes_pkey" PRIMARY KEY ("tenant_id","minute")
);

-- CreateIndex
CREATE INDEX "slo_series_tenant_id_idx" ON "slo_series"("tenant_id");

-- CreateIndex
CREATE INDEX "telemetry_late_minutes_minute_idx" ON "telemetry_late_minutes"("minute");

-- AddForeignKey
ALTER TABLE "slo_series" ADD CONSTRAINT "slo_series_slo_id_fkey" FOREIGN KEY ("slo_id") REFERENCES "slos"("id") ON DELETE CASCADE ON UPDATE CASCADE;

