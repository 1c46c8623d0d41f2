-- CreateTable
CREATE TABLE "ReviewQueue" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "description" TEXT,
    "feed" JSONB NOT NULL,
    "status" TEXT NOT NULL,
    "error" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReviewQueue_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReviewQueueItem" (
    "queueId" TEXT NOT NULL,
    "inferenceId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "doneBy" TEXT,
    "doneAt" TIMESTAMP(3),

    CONSTRAINT "ReviewQueueItem_pkey" PRIMARY KEY ("queueId","inferenceId")
);

-- CreateTable
CREATE TABLE "ReviewQueueAssignee" (
    "queueId" TEXT NOT NULL,
    "actor" TEXT NOT NULL,

    CONSTRAINT "ReviewQueueAssignee_pkey" PRIMARY KEY ("queueId","actor")
);

-- CreateTable
CREATE TABLE "InferenceScore" (
    "id" TEXT NOT NULL,
    "inferenceId" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "actor" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InferenceScore_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "ReviewQueueItem" ADD CONSTRAINT "ReviewQueueItem_queueId_fkey" FOREIGN KEY ("queueId") REFERENCES "ReviewQueue"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReviewQueueAssignee" ADD CONSTRAINT "ReviewQueueAssignee_queueId_fkey" FOREIGN KEY ("queueId") REFERENCES "ReviewQueue"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InferenceScore" ADD CONSTRAINT "InferenceScore_inferenceId_fkey" FOREIGN KEY ("inferenceId") REFERENCES "Inference"("id") ON DELETE CASCADE ON UPDATE CASCADE;
