-- CreateEnum
CREATE TYPE "MtlsMode" AS ENUM ('STRICT', 'PERMISSIVE');

-- CreateTable
CREATE TABLE "clusters" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "east_west_address" TEXT,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "version" INTEGER NOT NULL DEFAULT 1,
    "connection_id" TEXT,
    "first_connected_at" TIMESTAMPTZ(3),
    "last_seen_at" TIMESTAMPTZ(3),
    "agent_version" TEXT,
    "applied_version" INTEGER NOT NULL DEFAULT 0,
    "desired_version" INTEGER NOT NULL DEFAULT 0,
    "desired_hash" TEXT,
    "desired_payload" BYTEA,
    "last_nack_version" INTEGER,
    "last_nack_reason" TEXT,
    "last_nack_at" TIMESTAMPTZ(3),
    "inventory" JSONB NOT NULL DEFAULT '{"namespaces":[],"services":[]}',
    "inventory_revision" BIGINT NOT NULL DEFAULT 0,
    "inventory_updated_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "clusters_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bootstrap_tokens" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "cluster_id" UUID NOT NULL,
    "hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bootstrap_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "agent_certificates" (
    "fingerprint" TEXT NOT NULL,
    "tenant_id" UUID NOT NULL,
    "cluster_id" UUID NOT NULL,
    "not_after" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "agent_certificates_pkey" PRIMARY KEY ("fingerprint")
);

-- CreateTable
CREATE TABLE "internal_cas" (
    "name" TEXT NOT NULL,
    "certificate_pem" TEXT NOT NULL,
    "encrypted_key" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "internal_cas_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "global_namespaces" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "mtls_mode" "MtlsMode" NOT NULL DEFAULT 'STRICT',
    "match_conditions" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "ca_rotation" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "global_namespaces_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "gns_ca_roots" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "gns_id" UUID NOT NULL,
    "generation" INTEGER NOT NULL,
    "certificate_pem" TEXT NOT NULL,
    "encrypted_key" JSONB NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "not_before" TIMESTAMPTZ(3) NOT NULL,
    "not_after" TIMESTAMPTZ(3) NOT NULL,
    "retired_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "gns_ca_roots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "gns_intermediates" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "gns_id" UUID NOT NULL,
    "cluster_id" UUID NOT NULL,
    "root_generation" INTEGER NOT NULL,
    "certificate_pem" TEXT,
    "cert_chain_pem" TEXT,
    "fingerprint" TEXT,
    "not_after" TIMESTAMPTZ(3),
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "signed_at" TIMESTAMPTZ(3),
    "last_error" TEXT,

    CONSTRAINT "gns_intermediates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "telemetry_batches" (
    "cluster_id" UUID NOT NULL,
    "batch_id" TEXT NOT NULL,
    "tenant_id" UUID NOT NULL,
    "item_count" INTEGER NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "telemetry_batches_pkey" PRIMARY KEY ("cluster_id","batch_id")
);

-- CreateTable
CREATE TABLE "telemetry_minutes" (
    "id" BIGSERIAL NOT NULL,
    "tenant_id" UUID NOT NULL,
    "cluster_id" UUID NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "source_namespace" TEXT NOT NULL,
    "source_service" TEXT NOT NULL,
    "destination_namespace" TEXT NOT NULL,
    "destination_service" TEXT NOT NULL,
    "requests" BIGINT NOT NULL,
    "errors" BIGINT NOT NULL,
    "sketch" JSONB NOT NULL,

    CONSTRAINT "telemetry_minutes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "telemetry_hours" (
    "id" BIGSERIAL NOT NULL,
    "tenant_id" UUID NOT NULL,
    "cluster_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "source_namespace" TEXT NOT NULL,
    "source_service" TEXT NOT NULL,
    "destination_namespace" TEXT NOT NULL,
    "destination_service" TEXT NOT NULL,
    "requests" BIGINT NOT NULL,
    "errors" BIGINT NOT NULL,
    "sketch" JSONB NOT NULL,

    CONSTRAINT "telemetry_hours_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "clusters_tenant_id_created_at_id_idx" ON "clusters"("tenant_id", "created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "clusters_tenant_id_name_key" ON "clusters"("tenant_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "bootstrap_tokens_hash_key" ON "bootstrap_tokens"("hash");

-- CreateIndex
CREATE INDEX "bootstrap_tokens_tenant_id_cluster_id_idx" ON "bootstrap_tokens"("tenant_id", "cluster_id");

-- CreateIndex
CREATE INDEX "agent_certificates_tenant_id_cluster_id_idx" ON "agent_certificates"("tenant_id", "cluster_id");

-- CreateIndex
CREATE INDEX "global_namespaces_tenant_id_created_at_id_idx" ON "global_namespaces"("tenant_id", "created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "global_namespaces_tenant_id_name_key" ON "global_namespaces"("tenant_id", "name");

-- CreateIndex
CREATE INDEX "gns_ca_roots_tenant_id_gns_id_idx" ON "gns_ca_roots"("tenant_id", "gns_id");

-- CreateIndex
CREATE UNIQUE INDEX "gns_ca_roots_gns_id_generation_key" ON "gns_ca_roots"("gns_id", "generation");

-- CreateIndex
CREATE INDEX "gns_intermediates_tenant_id_gns_id_idx" ON "gns_intermediates"("tenant_id", "gns_id");

-- CreateIndex
CREATE UNIQUE INDEX "gns_intermediates_gns_id_cluster_id_root_generation_key" ON "gns_intermediates"("gns_id", "cluster_id", "root_generation");

-- CreateIndex
CREATE INDEX "telemetry_batches_received_at_idx" ON "telemetry_batches"("received_at");

-- CreateIndex
CREATE INDEX "telemetry_minutes_tenant_id_destination_service_minute_idx" ON "telemetry_minutes"("tenant_id", "destination_service", "minute");

-- CreateIndex
CREATE INDEX "telemetry_minutes_tenant_id_minute_idx" ON "telemetry_minutes"("tenant_id", "minute");

-- CreateIndex
CREATE INDEX "telemetry_hours_tenant_id_destination_service_hour_idx" ON "telemetry_hours"("tenant_id", "destination_service", "hour");

-- CreateIndex
CREATE UNIQUE INDEX "telemetry_hours_tenant_id_cluster_id_hour_source_namespace__key" ON "telemetry_hours"("tenant_id", "cluster_id", "hour", "source_namespace", "source_service", "destination_namespace", "destination_service");

-- AddForeignKey
ALTER TABLE "clusters" ADD CONSTRAINT "clusters_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bootstrap_tokens" ADD CONSTRAINT "bootstrap_tokens_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bootstrap_tokens" ADD CONSTRAINT "bootstrap_tokens_cluster_id_fkey" FOREIGN KEY ("cluster_id") REFERENCES "clusters"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "agent_certificates" ADD CONSTRAINT "agent_certificates_cluster_id_fkey" FOREIGN KEY ("cluster_id") REFERENCES "clusters"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "global_namespaces" ADD CONSTRAINT "global_namespaces_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "gns_ca_roots" ADD CONSTRAINT "gns_ca_roots_gns_id_fkey" FOREIGN KEY ("gns_id") REFERENCES "global_namespaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "gns_intermediates" ADD CONSTRAINT "gns_intermediates_gns_id_fkey" FOREIGN KEY ("gns_id") REFERENCES "global_namespaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "gns_intermediates" ADD CONSTRAINT "gns_intermediates_cluster_id_fkey" FOREIGN KEY ("cluster_id") REFERENCES "clusters"("id") ON DELETE CASCADE ON UPDATE CASCADE;

