-- CreateTable
CREATE TABLE "VersionHour" (
    "trigger" TEXT NOT NULL,
    "stateVersion" INTEGER NOT NULL,
    "hour" TIMESTAMP(3) NOT NULL,
    "paramsHash" TEXT NOT NULL,
    "shard" INTEGER NOT NULL,
    "inferences" BIGINT NOT NULL DEFAULT 0,
    "errors" BIGINT NOT NULL DEFAULT 0,
    "cached" BIGINT NOT NULL DEFAULT 0,
    "latencySum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "good" INTEGER NOT NULL DEFAULT 0,
    "bad" INTEGER NOT NULL DEFAULT 0,
    "corrected" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "VersionHour_pkey" PRIMARY KEY ("trigger","stateVersion","hour","paramsHash","shard")
);

-- CreateTable
CREATE TABLE "VersionHourLatency" (
    "trigger" TEXT NOT NULL,
    "stateVersion" INTEGER NOT NULL,
    "hour" TIMESTAMP(3) NOT NULL,
    "paramsHash" TEXT NOT NULL,
    "bucket" INTEGER NOT NULL,
    "shard" INTEGER NOT NULL,
    "count" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "VersionHourLatency_pkey" PRIMARY KEY ("trigger","stateVersion","hour","paramsHash","bucket","shard")
);

-- Backfill: the inferences stored before this migration, per hour of their storing (shard 0).
-- Feedback counts follow the latest label of each inference, in the hour of the inference, and
-- latency buckets match the engine latency-histogram.ts (gamma = 1.02 / 0.98, floor 0.0001 ms).
INSERT INTO "VersionHour" ("trigger", "stateVersion", "hour", "paramsHash", "shard", "inferences", "errors", "cached", "latencySum", "good", "bad", "corrected")
SELECT i."trigger", i."stateVersion", date_trunc('hour', i."createdAt"), i."paramsHash", 0, COUNT(*),
    SUM(CASE WHEN i."error" IS NOT NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN i."cached" THEN 1 ELSE 0 END),
    SUM(i."latencyMs"),
    SUM(CASE WHEN l."label" = 'good' THEN 1 ELSE 0 END),
    SUM(CASE WHEN l."label" = 'bad' THEN 1 ELSE 0 END),
    SUM(CASE WHEN l."inferenceId" IS NOT NULL AND l."correction" IS NOT NULL THEN 1 ELSE 0 END)
FROM "Inference" i
LEFT JOIN (
    SELECT f."inferenceId", f."label", f."correction" FROM "Feedback" f
    WHERE f."id" = (SELECT MAX(f2."id") FROM "Feedback" f2 WHERE f2."inferenceId" = f."inferenceId")
) l ON l."inferenceId" = i."id"
GROUP BY i."trigger", i."stateVersion", date_trunc('hour', i."createdAt"), i."paramsHash";

INSERT INTO "VersionHourLatency" ("trigger", "stateVersion", "hour", "paramsHash", "bucket", "shard", "count")
SELECT b."trigger", b."stateVersion", b."hour", b."paramsHash", b."bucket", 0, COUNT(*)
FROM (
    SELECT i."trigger", i."stateVersion", date_trunc('hour', i."createdAt") AS "hour", i."paramsHash", CAST(ceil(ln(GREATEST(i."latencyMs", 0.0001)) / 0.040005334613699206) AS INTEGER) AS "bucket"
    FROM "Inference" i
) b
GROUP BY b."trigger", b."stateVersion", b."hour", b."paramsHash", b."bucket";
