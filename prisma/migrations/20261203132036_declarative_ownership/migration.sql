-- CreateTable
CREATE TABLE "declarative_ownership" (
    "tenant_id" UUID NOT NULL,
    "ref" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "resource_id" UUID NOT NULL,
    "apply_set" TEXT,
    "applied_version" INTEGER NOT NULL,
    "applied_fields" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "declarative_ownership_pkey" PRIMARY KEY ("tenant_id","ref")
);

-- CreateIndex
CREATE INDEX "declarative_ownership_tenant_id_apply_set_idx" ON "declarative_ownership"("tenant_id", "apply_set");

-- AddForeignKey
ALTER TABLE "declarative_ownership" ADD CONSTRAINT "declarative_ownership_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

