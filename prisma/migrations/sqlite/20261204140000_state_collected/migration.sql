-- AlterTable
ALTER TABLE "StateVersion" ADD COLUMN "collectedAt" DATETIME;
