-- CreateTable
CREATE TABLE "InferenceMinute" (
    "trigger" TEXT NOT NULL,
    "minute" DATETIME NOT NULL,
    "shard" INTEGER NOT NULL,
    "inferences" BIGINT NOT NULL DEFAULT 0,
    "errors" BIGINT NOT NULL DEFAULT 0,
    "latencySum" REAL NOT NULL DEFAULT 0,

    PRIMARY KEY ("trigger", "minute", "shard")
);

-- CreateTable
CREATE TABLE "InferenceMinuteLatency" (
    "trigger" TEXT NOT NULL,
    "minute" DATETIME NOT NULL,
    "bucket" INTEGER NOT NULL,
    "shard" INTEGER NOT NULL,
    "count" BIGINT NOT NULL DEFAULT 0,

    PRIMARY KEY ("trigger", "minute", "bucket", "shard")
);

-- CreateIndex
CREATE INDEX "InferenceMinute_minute_idx" ON "InferenceMinute"("minute");

-- Backfill: the inferences stored before this migration, per trigger and minute (shard 0), with
-- latency buckets as in the engine latency-histogram.ts (gamma = 1.02 / 0.98, floor 0.0001 ms).
INSERT INTO "InferenceMinute" ("trigger", "minute", "shard", "inferences", "errors", "latencySum")
SELECT i."trigger", (i."createdAt" / 60000) * 60000, 0, COUNT(*),
    SUM(CASE WHEN i."error" IS NOT NULL THEN 1 ELSE 0 END),
    SUM(i."latencyMs")
FROM "Inference" i
GROUP BY i."trigger", (i."createdAt" / 60000) * 60000;

INSERT INTO "InferenceMinuteLatency" ("trigger", "minute", "bucket", "shard", "count")
SELECT b."trigger", b."minute", b."bucket", 0, COUNT(*)
FROM (
    SELECT i."trigger", (i."createdAt" / 60000) * 60000 AS "minute", CAST(ceil(ln(MAX(i."latencyMs", 0.0001)) / 0.040005334613699206) AS INTEGER) AS "bucket"
    FROM "Inference" i
) b
GROUP BY b."trigger", b."minute", b."bucket";
