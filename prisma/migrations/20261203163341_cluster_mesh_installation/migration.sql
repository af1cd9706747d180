-- AlterTable
ALTER TABLE "clusters" ADD COLUMN     "mesh_installation" JSONB,
ADD COLUMN     "mesh_installation_at" TIMESTAMPTZ(3);

