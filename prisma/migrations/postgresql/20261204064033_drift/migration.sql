-- AlterTable
ALTER TABLE "FitRun" ADD COLUMN     "reason" TEXT;

-- AlterTable
ALTER TABLE "PendingRow" ADD COLUMN     "held" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "partition" TEXT,
ADD COLUMN     "reason" TEXT;

-- CreateTable
CREATE TABLE "DriftProfile" (
    "id" TEXT NOT NULL,
    "relation" TEXT NOT NULL,
    "partition" TEXT NOT NULL,
    "rows" INTEGER NOT NULL,
    "profile" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DriftProfile_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DriftPartition" (
    "relation" TEXT NOT NULL,
    "partition" TEXT NOT NULL,
    "rows" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "valid" BOOLEAN NOT NULL,
    "score" DOUBLE PRECISION,
    "threshold" DOUBLE PRECISION NOT NULL,
    "history" INTEGER NOT NULL,
    "columns" JSONB NOT NULL,
    "findings" JSONB NOT NULL,
    "checkedAt" TIMESTAMP(3) NOT NULL,
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),

    CONSTRAINT "DriftPartition_pkey" PRIMARY KEY ("relation","partition")
);

-- CreateTable
CREATE TABLE "DriftEvent" (
    "id" TEXT NOT NULL,
    "relation" TEXT NOT NULL,
    "partition" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT,
    "data" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DriftEvent_pkey" PRIMARY KEY ("id")
);

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

-- CreateIndex
CREATE INDEX "PendingRow_trigger_route_held_partition_idx" ON "PendingRow"("trigger", "route", "held", "partition");
