-- AlterTable
ALTER TABLE "Inference" ADD COLUMN     "labeled" BOOLEAN NOT NULL DEFAULT false;

-- Backfill: an inference is labeled when any Feedback row points at it
UPDATE "Inference" i SET "labeled" = true WHERE EXISTS (SELECT 1 FROM "Feedback" f WHERE f."inferenceId" = i."id");

-- CreateIndex
CREATE INDEX "Inference_trigger_labeled_id_idx" ON "Inference"("trigger", "labeled", "id");
