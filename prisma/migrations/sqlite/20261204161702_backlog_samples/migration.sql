-- CreateTable
CREATE TABLE "BacklogSample" (
    "trigger" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "takenAt" DATETIME NOT NULL,
    "waiting" INTEGER NOT NULL,
    "held" INTEGER NOT NULL,
    "claimed" INTEGER NOT NULL,
    "fitted" INTEGER NOT NULL,
    "shed" INTEGER NOT NULL,

    PRIMARY KEY ("trigger", "route", "at")
);

-- CreateIndex
CREATE INDEX "BacklogSample_at_idx" ON "BacklogSample"("at");

-- CreateIndex
CREATE INDEX "FitRun_trigger_finishedAt_idx" ON "FitRun"("trigger", "finishedAt");

-- CreateIndex
CREATE INDEX "ScheduleTick_tickAt_idx" ON "ScheduleTick"("tickAt");
