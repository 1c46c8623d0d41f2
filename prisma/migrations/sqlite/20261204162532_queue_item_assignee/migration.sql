-- AlterTable
ALTER TABLE "ReviewQueueItem" ADD COLUMN "assignee" TEXT;
