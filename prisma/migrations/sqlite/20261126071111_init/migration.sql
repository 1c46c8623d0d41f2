-- CreateTable
CREATE TABLE "Row" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "relation" TEXT NOT NULL,
    "key" TEXT,
    "data" JSONB NOT NULL,
    "partition" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Inference" (
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Inference_rowId_fkey" FOREIGN KEY ("rowId") REFERENCES "Row" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Feedback" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "inferenceId" TEXT NOT NULL,
    "rowId" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "correction" JSONB,
    "note" TEXT,
    "actor" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Feedback_inferenceId_fkey" FOREIGN KEY ("inferenceId") REFERENCES "Inference" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "StateBlob" (
    "checksum" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "bytes" BLOB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "StateVersion" (
    "trigger" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "parent" INTEGER,
    "fitRunId" TEXT,
    "entries" JSONB NOT NULL,
    "size" INTEGER NOT NULL,
    "checksum" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("trigger", "version")
);

-- CreateTable
CREATE TABLE "StateAlias" (
    "trigger" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "pinned" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("trigger", "name")
);

-- CreateTable
CREATE TABLE "AliasEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "trigger" TEXT NOT NULL,
    "alias" TEXT NOT NULL,
    "fromVersion" INTEGER,
    "toVersion" INTEGER NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "FitRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "trigger" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "relation" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "rowIds" JSONB NOT NULL,
    "rowCount" INTEGER NOT NULL,
    "params" JSONB NOT NULL,
    "paramsHash" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL,
    "baseVersion" INTEGER,
    "producedVersion" INTEGER,
    "error" TEXT,
    "errorStack" TEXT,
    "metrics" JSONB,
    "deadLettered" BOOLEAN NOT NULL DEFAULT false,
    "runAfter" DATETIME,
    "leaseOwner" TEXT,
    "leaseUntil" DATETIME,
    "queuedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "durationMs" REAL
);

-- CreateTable
CREATE TABLE "PendingRow" (
    "trigger" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "rowId" TEXT NOT NULL,
    "fitRunId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("trigger", "route", "rowId")
);

-- CreateTable
CREATE TABLE "TriggerParams" (
    "trigger" TEXT NOT NULL PRIMARY KEY,
    "params" JSONB NOT NULL,
    "paramsHash" TEXT NOT NULL,
    "updatedBy" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "reason" TEXT,
    "data" JSONB,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "Row_relation_id_idx" ON "Row"("relation", "id");

-- CreateIndex
CREATE INDEX "Row_relation_key_id_idx" ON "Row"("relation", "key", "id");

-- CreateIndex
CREATE INDEX "Row_relation_createdAt_idx" ON "Row"("relation", "createdAt");

-- CreateIndex
CREATE INDEX "Inference_trigger_createdAt_idx" ON "Inference"("trigger", "createdAt");

-- CreateIndex
CREATE INDEX "Inference_trigger_id_idx" ON "Inference"("trigger", "id");

-- CreateIndex
CREATE INDEX "Inference_rowId_idx" ON "Inference"("rowId");

-- CreateIndex
CREATE INDEX "Feedback_inferenceId_idx" ON "Feedback"("inferenceId");

-- CreateIndex
CREATE INDEX "Feedback_createdAt_idx" ON "Feedback"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "StateVersion_fitRunId_key" ON "StateVersion"("fitRunId");

-- CreateIndex
CREATE INDEX "AliasEvent_trigger_createdAt_idx" ON "AliasEvent"("trigger", "createdAt");

-- CreateIndex
CREATE INDEX "FitRun_trigger_status_idx" ON "FitRun"("trigger", "status");

-- CreateIndex
CREATE INDEX "FitRun_trigger_queuedAt_idx" ON "FitRun"("trigger", "queuedAt");

-- CreateIndex
CREATE INDEX "FitRun_status_runAfter_idx" ON "FitRun"("status", "runAfter");

-- CreateIndex
CREATE INDEX "PendingRow_fitRunId_idx" ON "PendingRow"("fitRunId");

-- CreateIndex
CREATE INDEX "AuditEvent_createdAt_idx" ON "AuditEvent"("createdAt");

-- CreateIndex
CREATE INDEX "AuditEvent_action_createdAt_idx" ON "AuditEvent"("action", "createdAt");
