-- AlterTable
ALTER TABLE "clusters" ADD COLUMN     "take_over_mesh_ca" BOOLEAN NOT NULL DEFAULT false;

