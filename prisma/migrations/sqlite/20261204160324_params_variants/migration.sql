-- AlterTable
ALTER TABLE "TriggerExperiment" ADD COLUMN "variants" JSONB;
