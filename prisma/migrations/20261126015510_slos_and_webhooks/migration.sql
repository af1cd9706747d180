-- CreateEnum
CREATE TYPE "SloBudgeting" AS ENUM ('TIME_SLICES', 'OCCURRENCES');

-- CreateEnum
CREATE TYPE "SloType" AS ENUM ('MONITORED', 'ACTIONABLE');

-- CreateEnum
CREATE TYPE "WebhookDeliveryStatus" AS ENUM ('PENDING', 'SUCCEEDED', 'FAILED');

-- CreateTable
CREATE TABLE "slos" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "gns_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "services" TEXT[],
    "indicators" JSONB NOT NULL,
    "target_percent" DOUBLE PRECISION NOT NULL,
    "window" TEXT NOT NULL,
    "budgeting" "SloBudgeting" NOT NULL,
    "type" "SloType" NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "basis" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "slos_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "slo_minutes" (
    "slo_id" UUID NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "tenant_id" UUID NOT NULL,
    "basis" INTEGER NOT NULL,
    "requests" BIGINT NOT NULL,
    "bad_requests" BIGINT NOT NULL,
    "bad_slice" BOOLEAN NOT NULL,
    "indicator_values" DOUBLE PRECISION[],
    "cum_requests" BIGINT NOT NULL,
    "cum_bad_requests" BIGINT NOT NULL,
    "cum_bad_minutes" BIGINT NOT NULL,

    CONSTRAINT "slo_minutes_pkey" PRIMARY KEY ("slo_id","minute")
);

-- CreateTable
CREATE TABLE "slo_states" (
    "slo_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "evaluated_at" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL,
    "evaluation" JSONB NOT NULL,
    "active_alerts" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "slo_states_pkey" PRIMARY KEY ("slo_id")
);

-- CreateTable
CREATE TABLE "slo_events" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "slo_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "rule_id" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "threshold" DOUBLE PRECISION,
    "long_window_burn_rate" DOUBLE PRECISION,
    "short_window_burn_rate" DOUBLE PRECISION,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "slo_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_endpoints" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "encrypted_secret" JSONB NOT NULL,
    "secret_hint" TEXT NOT NULL,
    "event_types" TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "webhook_id" UUID NOT NULL,
    "event_id" UUID,
    "event_type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "WebhookDeliveryStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "response_code" INTEGER,
    "last_attempt_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "slos_tenant_id_gns_id_idx" ON "slos"("tenant_id", "gns_id");

-- CreateIndex
CREATE INDEX "slos_tenant_id_created_at_id_idx" ON "slos"("tenant_id", "created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "slos_tenant_id_name_key" ON "slos"("tenant_id", "name");

-- CreateIndex
CREATE INDEX "slo_minutes_minute_idx" ON "slo_minutes"("minute");

-- CreateIndex
CREATE INDEX "slo_states_tenant_id_idx" ON "slo_states"("tenant_id");

-- CreateIndex
CREATE INDEX "slo_events_tenant_id_slo_id_at_idx" ON "slo_events"("tenant_id", "slo_id", "at");

-- CreateIndex
CREATE UNIQUE INDEX "slo_events_slo_id_rule_id_type_at_key" ON "slo_events"("slo_id", "rule_id", "type", "at");

-- CreateIndex
CREATE INDEX "webhook_endpoints_tenant_id_created_at_id_idx" ON "webhook_endpoints"("tenant_id", "created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_endpoints_tenant_id_name_key" ON "webhook_endpoints"("tenant_id", "name");

-- CreateIndex
CREATE INDEX "webhook_deliveries_tenant_id_webhook_id_created_at_id_idx" ON "webhook_deliveries"("tenant_id", "webhook_id", "created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_webhook_id_event_id_key" ON "webhook_deliveries"("webhook_id", "event_id");

-- AddForeignKey
ALTER TABLE "slos" ADD CONSTRAINT "slos_gns_id_fkey" FOREIGN KEY ("gns_id") REFERENCES "global_namespaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slo_minutes" ADD CONSTRAINT "slo_minutes_slo_id_fkey" FOREIGN KEY ("slo_id") REFERENCES "slos"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slo_states" ADD CONSTRAINT "slo_states_slo_id_fkey" FOREIGN KEY ("slo_id") REFERENCES "slos"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slo_events" ADD CONSTRAINT "slo_events_slo_id_fkey" FOREIGN KEY ("slo_id") REFERENCES "slos"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "webhook_endpoints_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE;

