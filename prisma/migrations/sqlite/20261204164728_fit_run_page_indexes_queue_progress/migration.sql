-- DropIndex
DROP INDEX "FitRun_trigger_status_idx";

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ReviewQueue" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "description" TEXT,
    "feed" JSONB NOT NULL,
    "status" TEXT NOT NULL,
    "error" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "pendingItems" INTEGER NOT NULL DEFAULT 0,
    "doneItems" INTEGER NOT NULL DEFAULT 0,
    "skippedItems" INTEGER NOT NULL DEFAULT 0
);
INSERT INTO "new_ReviewQueue" ("createdAt", "createdBy", "description", "error", "feed", "id", "name", "status", "trigger") SELECT "createdAt", "createdBy", "description", "error", "feed", "id", "name", "status", "trigger" FROM "ReviewQueue";
DROP TABLE "ReviewQueue";
ALTER TABLE "new_ReviewQueue" RENAME TO "ReviewQueue";
CREATE UNIQUE INDEX "ReviewQueue_name_key" ON "ReviewQueue"("name");
CREATE INDEX "ReviewQueue_trigger_idx" ON "ReviewQueue"("trigger");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

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
