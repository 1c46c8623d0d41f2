-- AlterTable
ALTER TABLE "FitRun" ADD COLUMN "reason" TEXT;

-- CreateTable
CREATE TABLE "DriftProfile" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "relation" TEXT NOT NULL,
    "partition" TEXT NOT NULL,
    "rows" INTEGER NOT NULL,
    "profile" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "DriftPartition" (
    "relation" TEXT NOT NULL,
    "partition" TEXT NOT NULL,
    "rows" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "valid" BOOLEAN NOT NULL,
    "score" REAL,
    "threshold" REAL NOT NULL,
    "history" INTEGER NOT NULL,
    "columns" JSONB NOT NULL,
    "findings" JSONB NOT NULL,
    "checkedAt" DATETIME NOT NULL,
    "decidedBy" TEXT,
    "decidedAt" DATETIME,

    PRIMARY KEY ("relation", "partition")
);

-- CreateTable
CREATE TABLE "DriftEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "relation" TEXT NOT NULL,
    "partition" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT,
    "data" JSONB,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_PendingRow" (
    "trigger" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "rowId" TEXT NOT NULL,
    "fitRunId" TEXT,
    "partition" TEXT,
    "held" BOOLEAN NOT NULL DEFAULT false,
    "reason" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("trigger", "route", "rowId")
);
INSERT INTO "new_PendingRow" ("createdAt", "fitRunId", "route", "rowId", "trigger") SELECT "createdAt", "fitRunId", "route", "rowId", "trigger" FROM "PendingRow";
DROP TABLE "PendingRow";
ALTER TABLE "new_PendingRow" RENAME TO "PendingRow";
CREATE INDEX "PendingRow_fitRunId_idx" ON "PendingRow"("fitRunId");
CREATE INDEX "PendingRow_trigger_route_held_partition_idx" ON "PendingRow"("trigger", "route", "held", "partition");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "DriftProfile_relation_partition_idx" ON "DriftProfile"("relation", "partition");

-- CreateIndex
CREATE INDEX "DriftPartition_status_checkedAt_idx" ON "DriftPartition"("status", "checkedAt");

-- CreateIndex
CREATE INDEX "DriftEvent_relation_partition_createdAt_idx" ON "DriftEvent"("relation", "partition", "createdAt");

-- CreateIndex
CREATE INDEX "DriftEvent_relation_createdAt_idx" ON "DriftEvent"("relation", "createdAt");

-- CreateIndex
CREATE INDEX "Row_relation_partition_idx" ON "Row"("relation", "partition");
