-- DropIndex
DROP INDEX "Row_relation_key_id_idx";

-- DropIndex
DROP INDEX "Feedback_createdAt_idx";
