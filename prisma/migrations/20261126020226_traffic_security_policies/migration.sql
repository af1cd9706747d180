-- CreateTable
CREATE TABLE "traffic_policies" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "gns_id" UUID NOT NULL,
    "service" TEXT NOT NULL,
    "spec" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "traffic_policies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "security_policies" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "gns_id" UUID NOT NULL,
    "spec" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "security_policies_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "traffic_policies_tenant_id_gns_id_idx" ON "traffic_policies"("tenant_id", "gns_id");

-- CreateIndex
CREATE UNIQUE INDEX "traffic_policies_gns_id_service_key" ON "traffic_policies"("gns_id", "service");

-- CreateIndex
CREATE UNIQUE INDEX "security_policies_gns_id_key" ON "security_policies"("gns_id");

-- CreateIndex
CREATE INDEX "security_policies_tenant_id_idx" ON "security_policies"("tenant_id");

-- AddForeignKey
ALTER TABLE "traffic_policies" ADD CONSTRAINT "traffic_policies_gns_id_fkey" FOREIGN KEY ("gns_id") REFERENCES "global_namespaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "security_policies" ADD CONSTRAINT "security_policies_gns_id_fkey" FOREIGN KEY ("gns_id") REFERENCES "global_namespaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

