-- AlterTable
ALTER TABLE "FitRun" ADD COLUMN     "logs" JSONB;

-- CreateTable
CREATE TABLE "FitAttempt" (
    "id" TEXT NOT NULL,
    "fitRunId" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL,
    "error" TEXT NOT NULL,
    "errorStack" TEXT,
    "logs" JSONB,
    "owner" TEXT,
    "durationMs" DOUBLE PRECISION,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FitAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "FitAttempt_fitRunId_id_idx" ON "FitAttempt"("fitRunId", "id");

-- AddForeignKey
ALTER TABLE "FitAttempt" ADD CONSTRAINT "FitAttempt_fitRunId_fkey" FOREIGN KEY ("fitRunId") REFERENCES "FitRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;
