-- CreateTable
CREATE TABLE "TriggerExperiment" (
    "trigger" TEXT NOT NULL PRIMARY KEY,
    "shadowShare" REAL NOT NULL DEFAULT 0,
    "canaryShare" REAL NOT NULL DEFAULT 0,
    "rule" JSONB,
    "updatedBy" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "ShadowInference" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "inferenceId" TEXT NOT NULL,
    "rowId" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "stateVersion" INTEGER NOT NULL,
    "baseVersion" INTEGER NOT NULL,
    "paramsHash" TEXT NOT NULL,
    "output" JSONB,
    "error" TEXT,
    "latencyMs" REAL NOT NULL,
    "differs" BOOLEAN NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_AliasEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "trigger" TEXT NOT NULL,
    "alias" TEXT NOT NULL,
    "fromVersion" INTEGER,
    "toVersion" INTEGER,
    "actor" TEXT NOT NULL,
    "reason" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_AliasEvent" ("actor", "alias", "createdAt", "fromVersion", "id", "reason", "toVersion", "trigger") SELECT "actor", "alias", "createdAt", "fromVersion", "id", "reason", "toVersion", "trigger" FROM "AliasEvent";
DROP TABLE "AliasEvent";
ALTER TABLE "new_AliasEvent" RENAME TO "AliasEvent";
CREATE INDEX "AliasEvent_trigger_createdAt_idx" ON "AliasEvent"("trigger", "createdAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "ShadowInference_trigger_stateVersion_id_idx" ON "ShadowInference"("trigger", "stateVersion", "id");

-- CreateIndex
CREATE INDEX "ShadowInference_inferenceId_idx" ON "ShadowInference"("inferenceId");
