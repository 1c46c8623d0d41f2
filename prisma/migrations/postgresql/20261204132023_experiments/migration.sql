-- AlterTable
ALTER TABLE "AliasEvent" ALTER COLUMN "toVersion" DROP NOT NULL;

-- CreateTable
CREATE TABLE "TriggerExperiment" (
    "trigger" TEXT NOT NULL,
    "shadowShare" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "canaryShare" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "rule" JSONB,
    "updatedBy" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TriggerExperiment_pkey" PRIMARY KEY ("trigger")
);

-- CreateTable
CREATE TABLE "ShadowInference" (
    "id" TEXT NOT NULL,
    "inferenceId" TEXT NOT NULL,
    "rowId" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "stateVersion" INTEGER NOT NULL,
    "baseVersion" INTEGER NOT NULL,
    "paramsHash" TEXT NOT NULL,
    "output" JSONB,
    "error" TEXT,
    "latencyMs" DOUBLE PRECISION NOT NULL,
    "differs" BOOLEAN NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ShadowInference_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ShadowInference_trigger_stateVersion_id_idx" ON "ShadowInference"("trigger", "stateVersion", "id");

-- CreateIndex
CREATE INDEX "ShadowInference_inferenceId_idx" ON "ShadowInference"("inferenceId");
