-- AlterTable
ALTER TABLE "clusters" ADD COLUMN     "conditions" JSONB NOT NULL DEFAULT '[]';

