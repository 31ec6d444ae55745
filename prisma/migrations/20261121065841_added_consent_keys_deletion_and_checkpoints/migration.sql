-- AlterTable
ALTER TABLE "registry"."participants" ADD COLUMN     "certifications" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "protection" TEXT NOT NULL DEFAULT 'access-control';

-- CreateTable
CREATE TABLE "clearing"."person_consents" (
    "id" UUID NOT NULL,
    "originator_id" UUID NOT NULL,
    "subject_ref" TEXT NOT NULL,
    "dataset" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "purposes" TEXT[],
    "valid_from" TIMESTAMPTZ(3),
    "valid_until" TIMESTAMPTZ(3),
    "fhir_id" TEXT,
    "source" JSONB,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "person_consents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "clearing"."data_keys" (
    "id" UUID NOT NULL,
    "originator_id" UUID NOT NULL,
    "dataset" TEXT NOT NULL,
    "subject_ref" TEXT,
    "wrapped" BYTEA,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "destroyed_at" TIMESTAMPTZ(3),
    "destroyed_by" TEXT,
    "reason" TEXT,

    CONSTRAINT "data_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "clearing"."deletion_obligations" (
    "id" UUID NOT NULL,
    "grant_id" UUID NOT NULL,
    "consumer_id" UUID NOT NULL,
    "originator_id" UUID NOT NULL,
    "dataset" TEXT NOT NULL,
    "cause" TEXT NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL,
    "receipt" TEXT,
    "receipt_claims" JSONB,
    "confirmed_at" TIMESTAMPTZ(3),
    "flagged_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deletion_obligations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "clearing"."audit_checkpoints" (
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "entries" BIGINT NOT NULL,
    "kid" TEXT NOT NULL,
    "jws" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_checkpoints_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "clearing"."signing_keys" (
    "kid" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "public_jwk" JSONB NOT NULL,
    "wrapped" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "activated_at" TIMESTAMPTZ(3),
    "retired_at" TIMESTAMPTZ(3),

    CONSTRAINT "signing_keys_pkey" PRIMARY KEY ("kid")
);

-- CreateIndex
CREATE INDEX "person_consents_originator_id_dataset_idx" ON "clearing"."person_consents"("originator_id", "dataset");

-- CreateIndex
CREATE UNIQUE INDEX "person_consents_originator_id_subject_ref_dataset_key" ON "clearing"."person_consents"("originator_id", "subject_ref", "dataset");

-- CreateIndex
CREATE INDEX "data_keys_originator_id_dataset_subject_ref_idx" ON "clearing"."data_keys"("originator_id", "dataset", "subject_ref");

-- CreateIndex
CREATE UNIQUE INDEX "deletion_obligations_grant_id_key" ON "clearing"."deletion_obligations"("grant_id");

-- CreateIndex
CREATE INDEX "deletion_obligations_status_due_at_idx" ON "clearing"."deletion_obligations"("status", "due_at");

-- CreateIndex
CREATE INDEX "deletion_obligations_consumer_id_idx" ON "clearing"."deletion_obligations"("consumer_id");

-- CreateIndex
CREATE INDEX "deletion_obligations_originator_id_idx" ON "clearing"."deletion_obligations"("originator_id");

-- CreateIndex
CREATE INDEX "signing_keys_state_idx" ON "clearing"."signing_keys"("state");
