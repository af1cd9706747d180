-- AlterTable
ALTER TABLE "clusters" ADD COLUMN     "east_west_gateway_managed" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "east_west_gateway_selector" JSONB,
ADD COLUMN     "network" TEXT,
ADD COLUMN     "region" TEXT,
ADD COLUMN     "zone" TEXT;

-- CreateTable
CREATE TABLE "gns_service_addresses" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "gns_id" UUID NOT NULL,
    "service" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "gns_service_addresses_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "gns_service_addresses_tenant_id_gns_id_service_key" ON "gns_service_addresses"("tenant_id", "gns_id", "service");

-- CreateIndex
CREATE UNIQUE INDEX "gns_service_addresses_tenant_id_address_key" ON "gns_service_addresses"("tenant_id", "address");

-- AddForeignKey
ALTER TABLE "gns_service_addresses" ADD CONSTRAINT "gns_service_addresses_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "gns_service_addresses" ADD CONSTRAINT "gns_service_addresses_gns_id_fkey" FOREIGN KEY ("gns_id") REFERENCES "global_namespaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

