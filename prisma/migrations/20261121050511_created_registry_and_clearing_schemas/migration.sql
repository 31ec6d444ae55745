-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "clearing";

-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "registry";

-- CreateTable
CREATE TABLE "registry"."participants" (
    "id" UUID NOT NULL,
    "legal_name" TEXT NOT NULL,
    "corporate_number" TEXT,
    "lei" TEXT,
    "bpn" TEXT,
    "industry" TEXT NOT NULL,
    "country" CHAR(2) NOT NULL,
    "roles" TEXT[],
    "status" TEXT NOT NULL,
    "jwks" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "participants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "registry"."data_contracts" (
    "id" UUID NOT NULL,
    "dataset" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "owner_id" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "purposes" TEXT[],
    "sensitivity" TEXT NOT NULL,
    "residency" CHAR(2),
    "retention_days" INTEGER,
    "fields" JSONB NOT NULL,
    "schema" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "data_contracts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "registry"."outbox" (
    "id" BIGSERIAL NOT NULL,
    "topic" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "clearing"."grants" (
    "id" UUID NOT NULL,
    "originator_id" UUID NOT NULL,
    "consumer_id" UUID NOT NULL,
    "dataset" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "fields" JSONB,
    "state" TEXT NOT NULL,
    "valid_from" TIMESTAMPTZ(3) NOT NULL,
    "valid_until" TIMESTAMPTZ(3),
    "onward_transfer" BOOLEAN NOT NULL DEFAULT false,
    "deletion_days" INTEGER NOT NULL DEFAULT 30,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "grants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "clearing"."grant_transitions" (
    "id" BIGSERIAL NOT NULL,
    "grant_id" UUID NOT NULL,
    "from_state" TEXT,
    "to_state" TEXT NOT NULL,
    "actor_id" TEXT NOT NULL,
    "reason" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "grant_transitions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "clearing"."used_assertions" (
    "jti" TEXT NOT NULL,
    "participant_id" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "used_assertions_pkey" PRIMARY KEY ("jti")
);

-- CreateTable
CREATE TABLE "clearing"."audit_log" (
    "seq" BIGINT NOT NULL,
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "actor_id" TEXT NOT NULL,
    "dataset" TEXT,
    "grant_id" TEXT,
    "allow" BOOLEAN,
    "payload" JSONB NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "clearing"."outbox" (
    "id" BIGSERIAL NOT NULL,
    "topic" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "participants_corporate_number_key" ON "registry"."participants"("corporate_number");

-- CreateIndex
CREATE UNIQUE INDEX "participants_lei_key" ON "registry"."participants"("lei");

-- CreateIndex
CREATE UNIQUE INDEX "participants_bpn_key" ON "registry"."participants"("bpn");

-- CreateIndex
CREATE INDEX "data_contracts_owner_id_idx" ON "registry"."data_contracts"("owner_id");

-- CreateIndex
CREATE UNIQUE INDEX "data_contracts_dataset_version_key" ON "registry"."data_contracts"("dataset", "version");

-- CreateIndex
CREATE INDEX "outbox_sent_at_id_idx" ON "registry"."outbox"("sent_at", "id");

-- CreateIndex
CREATE INDEX "grants_originator_id_idx" ON "clearing"."grants"("originator_id");

-- CreateIndex
CREATE INDEX "grants_consumer_id_idx" ON "clearing"."grants"("consumer_id");

-- CreateIndex
CREATE INDEX "grant_transitions_grant_id_idx" ON "clearing"."grant_transitions"("grant_id");

-- CreateIndex
CREATE INDEX "used_assertions_expires_at_idx" ON "clearing"."used_assertions"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "audit_log_id_key" ON "clearing"."audit_log"("id");

-- CreateIndex
CREATE INDEX "audit_log_kind_at_idx" ON "clearing"."audit_log"("kind", "at");

-- CreateIndex
CREATE INDEX "audit_log_dataset_at_idx" ON "clearing"."audit_log"("dataset", "at");

-- CreateIndex
CREATE INDEX "audit_log_actor_id_at_idx" ON "clearing"."audit_log"("actor_id", "at");

-- CreateIndex
CREATE INDEX "outbox_sent_at_id_idx" ON "clearing"."outbox"("sent_at", "id");

-- AddForeignKey
ALTER TABLE "registry"."data_contracts" ADD CONSTRAINT "data_contracts_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "registry"."participants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "clearing"."grant_transitions" ADD CONSTRAINT "grant_transitions_grant_id_fkey" FOREIGN KEY ("grant_id") REFERENCES "clearing"."grants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
