-- AlterTable
ALTER TABLE "clusters" ADD COLUMN     "desired_at" TIMESTAMPTZ(3);

