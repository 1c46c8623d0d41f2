-- CreateTable
CREATE TABLE "Row" (
    "id" TEXT NOT NULL,
    "relation" TEXT NOT NULL,
    "key" TEXT,
    "data" JSONB NOT NULL,
    "partition" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Row_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Inference" (
    "id" TEXT NOT NULL,
    "rowId" TEXT NOT NULL,
    "relation" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "output" JSONB,
    "error" TEXT,
    "stateVersion" INTEGER NOT NULL,
    "paramsHash" TEXT NOT NULL,
    "inputHash" TEXT NOT NULL,
    "latencyMs" DOUBLE PRECISION NOT NULL,
    "cached" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Inference_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Feedback" (
    "id" TEXT NOT NULL,
    "inferenceId" TEXT NOT NULL,
    "rowId" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "correction" JSONB,
    "note" TEXT,
    "actor" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Feedback_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StateBlob" (
    "checksum" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "bytes" BYTEA NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StateBlob_pkey" PRIMARY KEY ("checksum")
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StateVersion_pkey" PRIMARY KEY ("trigger","version")
);

-- CreateTable
CREATE TABLE "StateAlias" (
    "trigger" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "pinned" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StateAlias_pkey" PRIMARY KEY ("trigger","name")
);

-- CreateTable
CREATE TABLE "AliasEvent" (
    "id" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "alias" TEXT NOT NULL,
    "fromVersion" INTEGER,
    "toVersion" INTEGER NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AliasEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FitRun" (
    "id" TEXT NOT NULL,
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
    "runAfter" TIMESTAMP(3),
    "leaseOwner" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "queuedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "durationMs" DOUBLE PRECISION,

    CONSTRAINT "FitRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PendingRow" (
    "trigger" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "rowId" TEXT NOT NULL,
    "fitRunId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PendingRow_pkey" PRIMARY KEY ("trigger","route","rowId")
);

-- CreateTable
CREATE TABLE "TriggerParams" (
    "trigger" TEXT NOT NULL,
    "params" JSONB NOT NULL,
    "paramsHash" TEXT NOT NULL,
    "updatedBy" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TriggerParams_pkey" PRIMARY KEY ("trigger")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "reason" TEXT,
    "data" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "Inference" ADD CONSTRAINT "Inference_rowId_fkey" FOREIGN KEY ("rowId") REFERENCES "Row"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Feedback" ADD CONSTRAINT "Feedback_inferenceId_fkey" FOREIGN KEY ("inferenceId") REFERENCES "Inference"("id") ON DELETE CASCADE ON UPDATE CASCADE;
