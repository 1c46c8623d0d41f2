-- CreateTable
CREATE TABLE "ReviewQueue" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "description" TEXT,
    "feed" JSONB NOT NULL,
    "status" TEXT NOT NULL,
    "error" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "ReviewQueueItem" (
    "queueId" TEXT NOT NULL,
    "inferenceId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "doneBy" TEXT,
    "doneAt" DATETIME,

    PRIMARY KEY ("queueId", "inferenceId"),
    CONSTRAINT "ReviewQueueItem_queueId_fkey" FOREIGN KEY ("queueId") REFERENCES "ReviewQueue" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ReviewQueueAssignee" (
    "queueId" TEXT NOT NULL,
    "actor" TEXT NOT NULL,

    PRIMARY KEY ("queueId", "actor"),
    CONSTRAINT "ReviewQueueAssignee_queueId_fkey" FOREIGN KEY ("queueId") REFERENCES "ReviewQueue" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "InferenceScore" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "inferenceId" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "actor" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "InferenceScore_inferenceId_fkey" FOREIGN KEY ("inferenceId") REFERENCES "Inference" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "ReviewQueue_name_key" ON "ReviewQueue"("name");

-- CreateIndex
CREATE INDEX "ReviewQueue_trigger_idx" ON "ReviewQueue"("trigger");

-- CreateIndex
CREATE INDEX "ReviewQueueItem_queueId_status_position_idx" ON "ReviewQueueItem"("queueId", "status", "position");

-- CreateIndex
CREATE INDEX "ReviewQueueItem_inferenceId_idx" ON "ReviewQueueItem"("inferenceId");

-- CreateIndex
CREATE INDEX "ReviewQueueAssignee_actor_idx" ON "ReviewQueueAssignee"("actor");

-- CreateIndex
CREATE INDEX "InferenceScore_inferenceId_name_idx" ON "InferenceScore"("inferenceId", "name");

-- CreateIndex
CREATE INDEX "InferenceScore_trigger_name_idx" ON "InferenceScore"("trigger", "name");
