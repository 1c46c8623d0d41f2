-- AlterTable
ALTER TABLE "FitRun" ADD COLUMN "logs" JSONB;

-- CreateTable
CREATE TABLE "FitAttempt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "fitRunId" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL,
    "error" TEXT NOT NULL,
    "errorStack" TEXT,
    "logs" JSONB,
    "owner" TEXT,
    "durationMs" REAL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "FitAttempt_fitRunId_fkey" FOREIGN KEY ("fitRunId") REFERENCES "FitRun" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "FitAttempt_fitRunId_id_idx" ON "FitAttempt"("fitRunId", "id");
