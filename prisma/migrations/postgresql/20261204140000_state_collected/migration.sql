-- AlterTable
ALTER TABLE "StateVersion" ADD COLUMN "collectedAt" TIMESTAMP(3);
