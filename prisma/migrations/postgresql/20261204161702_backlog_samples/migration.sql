-- CreateTable
CREATE TABLE "BacklogSample" (
    "trigger" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "takenAt" TIMESTAMP(3) NOT NULL,
    "waiting" INTEGER NOT NULL,
    "held" INTEGER NOT NULL,
    "claimed" INTEGER NOT NULL,
    "fitted" INTEGER NOT NULL,
    "shed" INTEGER NOT NULL,

    CONSTRAINT "BacklogSample_pkey" PRIMARY KEY ("trigger","route","at")
);

-- CreateIndex
CREATE INDEX "BacklogSample_at_idx" ON "BacklogSample"("at");

-- CreateIndex
CREATE INDEX "FitRun_trigger_finishedAt_idx" ON "FitRun"("trigger", "finishedAt");

-- CreateIndex
CREATE INDEX "ScheduleTick_tickAt_idx" ON "ScheduleTick"("tickAt");
