-- DropIndex
DROP INDEX "FitRun_trigger_status_idx";

-- AlterTable
ALTER TABLE "ReviewQueue" ADD COLUMN     "doneItems" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "pendingItems" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "skippedItems" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "FitRun_trigger_id_idx" ON "FitRun"("trigger", "id");

-- CreateIndex
CREATE INDEX "FitRun_trigger_status_id_idx" ON "FitRun"("trigger", "status", "id");

-- CreateIndex
CREATE INDEX "FitRun_status_id_idx" ON "FitRun"("status", "id");

-- CreateIndex
CREATE INDEX "FitRun_deadLettered_id_idx" ON "FitRun"("deadLettered", "id");

-- Backfill the item counts of the queues stored before this migration
UPDATE "ReviewQueue" SET
  "pendingItems" = (SELECT COUNT(*) FROM "ReviewQueueItem" i WHERE i."queueId" = "ReviewQueue"."id" AND i."status" = 'pending'),
  "doneItems" = (SELECT COUNT(*) FROM "ReviewQueueItem" i WHERE i."queueId" = "ReviewQueue"."id" AND i."status" = 'done'),
  "skippedItems" = (SELECT COUNT(*) FROM "ReviewQueueItem" i WHERE i."queueId" = "ReviewQueue"."id" AND i."status" = 'skipped');
