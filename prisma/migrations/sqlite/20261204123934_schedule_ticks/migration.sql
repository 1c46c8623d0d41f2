-- CreateTable
CREATE TABLE "ScheduleTick" (
    "trigger" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "tickAt" DATETIME NOT NULL,
    "kind" TEXT NOT NULL,
    "missed" INTEGER NOT NULL DEFAULT 0,
    "fitRunId" TEXT,
    "claimedBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("trigger", "route", "tickAt")
);

-- CreateIndex
CREATE INDEX "ScheduleTick_fitRunId_idx" ON "ScheduleTick"("fitRunId");
