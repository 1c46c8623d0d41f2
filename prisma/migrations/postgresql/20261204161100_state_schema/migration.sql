-- AlterTable
ALTER TABLE "StateVersion" ADD COLUMN     "schema" INTEGER NOT NULL DEFAULT 1;
