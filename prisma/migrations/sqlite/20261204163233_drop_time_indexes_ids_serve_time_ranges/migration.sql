-- DropIndex
DROP INDEX "Row_relation_createdAt_idx";

-- DropIndex
DROP INDEX "Inference_trigger_createdAt_idx";
