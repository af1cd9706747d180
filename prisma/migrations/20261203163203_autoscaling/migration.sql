-- CreateTable
CREATE TABLE "autoscaling_policies" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "gns_id" UUID NOT NULL,
    "service" TEXT NOT NULL,
    "spec" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "autoscaling_policies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "autoscaling_events" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "gns_id" UUID NOT NULL,
    "service" TEXT NOT NULL,
    "cluster_id" UUID NOT NULL,
    "decision_id" TEXT NOT NULL,
    "policy_id" TEXT NOT NULL,
    "policy_version" INTEGER NOT NULL,
    "target_kind" TEXT NOT NULL,
    "target_namespace" TEXT NOT NULL,
    "target_name" TEXT NOT NULL,
    "decided_at" TIMESTAMPTZ(3) NOT NULL,
    "action" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "from_replicas" INTEGER NOT NULL,
    "to_replicas" INTEGER NOT NULL,
    "rule" TEXT NOT NULL,
    "blocked_by" TEXT,
    "windows" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "autoscaling_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "autoscaling_policies_tenant_id_gns_id_idx" ON "autoscaling_policies"("tenant_id", "gns_id");

-- CreateIndex
CREATE UNIQUE INDEX "autoscaling_policies_gns_id_service_key" ON "autoscaling_policies"("gns_id", "service");

-- CreateIndex
CREATE INDEX "autoscaling_events_tenant_id_gns_id_service_decided_at_idx" ON "autoscaling_events"("tenant_id", "gns_id", "service", "decided_at");

-- CreateIndex
CREATE UNIQUE INDEX "autoscaling_events_cluster_id_decision_id_key" ON "autoscaling_events"("cluster_id", "decision_id");

-- AddForeignKey
ALTER TABLE "autoscaling_policies" ADD CONSTRAINT "autoscaling_policies_gns_id_fkey" FOREIGN KEY ("gns_id") REFERENCES "global_namespaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "autoscaling_events" ADD CONSTRAINT "autoscaling_events_gns_id_fkey" FOREIGN KEY ("gns_id") REFERENCES "global_namespaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

