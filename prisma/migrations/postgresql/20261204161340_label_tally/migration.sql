-- CreateTable
CREATE TABLE "LabelTally" (
    "trigger" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "labels" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "LabelTally_pkey" PRIMARY KEY ("trigger","actor","label")
);

-- CreateTable
CREATE TABLE "LabeledTally" (
    "trigger" TEXT NOT NULL,
    "labeled" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "LabeledTally_pkey" PRIMARY KEY ("trigger")
);

-- Backfill from the labels and the labeled flag stored before this migration
INSERT INTO "LabelTally" ("trigger", "actor", "label", "labels")
SELECT i."trigger", f."actor", f."label", COUNT(*) FROM "Feedback" f JOIN "Inference" i ON i."id" = f."inferenceId" GROUP BY i."trigger", f."actor", f."label";

INSERT INTO "LabeledTally" ("trigger", "labeled")
SELECT "trigger", COUNT(*) FROM "Inference" WHERE "labeled" = TRUE GROUP BY "trigger";
