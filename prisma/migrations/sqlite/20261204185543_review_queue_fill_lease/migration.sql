-- AlterTable
ALTER TABLE "ReviewQueue" ADD COLUMN "fillLeaseUntil" DATETIME;
