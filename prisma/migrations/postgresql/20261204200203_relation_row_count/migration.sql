-- CreateTable
CREATE TABLE "RelationRowCount" (
    "relation" TEXT NOT NULL,
    "shard" INTEGER NOT NULL,
    "rows" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "RelationRowCount_pkey" PRIMARY KEY ("relation","shard")
);

-- Backfill: the rows stored before this migration
INSERT INTO "RelationRowCount" ("relation", "shard", "rows") SELECT "relation", 0, COUNT(*) FROM "Row" GROUP BY "relation";
