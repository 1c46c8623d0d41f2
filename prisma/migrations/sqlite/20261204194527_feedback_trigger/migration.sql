-- AlterTable
ALTER TABLE "Feedback" ADD COLUMN "trigger" TEXT;

-- Backfill: earlier labels take their inference trigger
UPDATE "Feedback" SET "trigger" = (SELECT i."trigger" FROM "Inference" i WHERE i."id" = "Feedback"."inferenceId") WHERE "trigger" IS NULL;

-- CreateIndex
CREATE INDEX "Feedback_trigger_id_idx" ON "Feedback"("trigger", "id");
