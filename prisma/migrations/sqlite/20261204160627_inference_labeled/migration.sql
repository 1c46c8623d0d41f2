-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Inference" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "rowId" TEXT NOT NULL,
    "relation" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "output" JSONB,
    "error" TEXT,
    "stateVersion" INTEGER NOT NULL,
    "paramsHash" TEXT NOT NULL,
    "inputHash" TEXT NOT NULL,
    "latencyMs" REAL NOT NULL,
    "cached" BOOLEAN NOT NULL DEFAULT false,
    "labeled" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Inference_rowId_fkey" FOREIGN KEY ("rowId") REFERENCES "Row" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
-- Backfill: an inference is labeled when any Feedback row points at it
INSERT INTO "new_Inference" ("cached", "createdAt", "error", "id", "inputHash", "latencyMs", "output", "paramsHash", "relation", "route", "rowId", "stateVersion", "trigger", "labeled") SELECT "cached", "createdAt", "error", "id", "inputHash", "latencyMs", "output", "paramsHash", "relation", "route", "rowId", "stateVersion", "trigger", EXISTS (SELECT 1 FROM "Feedback" f WHERE f."inferenceId" = "Inference"."id") FROM "Inference";
DROP TABLE "Inference";
ALTER TABLE "new_Inference" RENAME TO "Inference";
CREATE INDEX "Inference_trigger_createdAt_idx" ON "Inference"("trigger", "createdAt");
CREATE INDEX "Inference_trigger_id_idx" ON "Inference"("trigger", "id");
CREATE INDEX "Inference_trigger_labeled_id_idx" ON "Inference"("trigger", "labeled", "id");
CREATE INDEX "Inference_rowId_idx" ON "Inference"("rowId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
