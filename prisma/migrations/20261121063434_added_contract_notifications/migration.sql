-- CreateTable
CREATE TABLE "clearing"."notifications" (
    "id" UUID NOT NULL,
    "participant_id" UUID NOT NULL,
    "grant_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "dataset" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "reason" TEXT,
    "event_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "read_at" TIMESTAMPTZ(3),

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "notifications_participant_id_created_at_idx" ON "clearing"."notifications"("participant_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "notifications_grant_id_kind_version_key" ON "clearing"."notifications"("grant_id", "kind", "version");
