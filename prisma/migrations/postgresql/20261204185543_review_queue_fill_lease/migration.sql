-- AlterTable
ALTER TABLE "ReviewQueue" ADD COLUMN     "fillLeaseUntil" TIMESTAMP(3);
