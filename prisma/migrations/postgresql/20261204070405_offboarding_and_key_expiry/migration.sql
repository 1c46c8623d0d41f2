-- AlterTable
ALTER TABLE "User" ADD COLUMN     "disabledAt" TIMESTAMP(3),
ADD COLUMN     "disabledBy" TEXT;

-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "expiresAt" TIMESTAMP(3),
ADD COLUMN     "liveName" TEXT,
ADD COLUMN     "ownerId" TEXT;

-- Backfill: the owner of a key is the user whose e-mail created it, and the newest live key of each
-- (owner, name) holds the name (older duplicates stay valid, they simply do not hold it).
UPDATE "ApiKey" SET "ownerId" = (SELECT u."id" FROM "User" u WHERE u."email" = "ApiKey"."createdBy");
UPDATE "ApiKey" SET "liveName" = "name" WHERE "revokedAt" IS NULL AND "ownerId" IS NOT NULL AND NOT EXISTS (
  SELECT 1 FROM "ApiKey" k2 WHERE k2."ownerId" = "ApiKey"."ownerId" AND k2."name" = "ApiKey"."name" AND k2."revokedAt" IS NULL AND k2."id" > "ApiKey"."id"
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_ownerId_liveName_key" ON "ApiKey"("ownerId", "liveName");
