-- The Dataspace Protocol in clearing: negotiation and transfer projections (one row per process and side),
-- the outbox of outgoing DSP messages, and the registered peer connectors.
-- CreateTable
CREATE TABLE "clearing"."dsp_negotiations" (
    "id" UUID NOT NULL,
    "side" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "peer_id" UUID NOT NULL,
    "member_id" UUID NOT NULL,
    "grant_id" UUID,
    "dataset" TEXT,
    "dataset_dsp_id" TEXT NOT NULL,
    "offer_id" TEXT NOT NULL,
    "consumer_pid" TEXT NOT NULL,
    "provider_pid" TEXT,
    "callback_address" TEXT NOT NULL,
    "offer" JSONB NOT NULL,
    "agreement" JSONB,
    "agreement_id" TEXT,
    "finalize" TEXT NOT NULL DEFAULT 'on-verification',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dsp_negotiations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "clearing"."dsp_transfers" (
    "id" UUID NOT NULL,
    "side" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "peer_id" UUID NOT NULL,
    "member_id" UUID NOT NULL,
    "grant_id" UUID,
    "agreement_id" TEXT NOT NULL,
    "consumer_pid" TEXT NOT NULL,
    "provider_pid" TEXT,
    "callback_address" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "data_address" JSONB,
    "suspended_by" TEXT,
    "into_dataset" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dsp_transfers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "clearing"."dsp_callbacks" (
    "id" BIGSERIAL NOT NULL,
    "process_kind" TEXT NOT NULL,
    "process_id" UUID NOT NULL,
    "peer_id" UUID,
    "url" TEXT NOT NULL,
    "body" JSONB NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),
    "dead_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dsp_callbacks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "clearing"."dsp_peers" (
    "participant_id" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "token_url" TEXT,
    "remote_participant_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dsp_peers_pkey" PRIMARY KEY ("participant_id")
);

-- CreateIndex
CREATE INDEX "dsp_negotiations_member_id_side_created_at_idx" ON "clearing"."dsp_negotiations"("member_id", "side", "created_at");

-- CreateIndex
CREATE INDEX "dsp_negotiations_grant_id_idx" ON "clearing"."dsp_negotiations"("grant_id");

-- CreateIndex
CREATE UNIQUE INDEX "dsp_negotiations_side_peer_id_consumer_pid_key" ON "clearing"."dsp_negotiations"("side", "peer_id", "consumer_pid");

-- CreateIndex
CREATE UNIQUE INDEX "dsp_negotiations_side_peer_id_provider_pid_key" ON "clearing"."dsp_negotiations"("side", "peer_id", "provider_pid");

-- CreateIndex
CREATE INDEX "dsp_transfers_member_id_side_created_at_idx" ON "clearing"."dsp_transfers"("member_id", "side", "created_at");

-- CreateIndex
CREATE INDEX "dsp_transfers_grant_id_idx" ON "clearing"."dsp_transfers"("grant_id");

-- CreateIndex
CREATE UNIQUE INDEX "dsp_transfers_side_peer_id_consumer_pid_key" ON "clearing"."dsp_transfers"("side", "peer_id", "consumer_pid");

-- CreateIndex
CREATE UNIQUE INDEX "dsp_transfers_side_peer_id_provider_pid_key" ON "clearing"."dsp_transfers"("side", "peer_id", "provider_pid");

-- CreateIndex
CREATE INDEX "dsp_callbacks_process_kind_process_id_id_idx" ON "clearing"."dsp_callbacks"("process_kind", "process_id", "id");

-- CreateIndex
CREATE INDEX "dsp_callbacks_sent_at_dead_at_next_attempt_at_idx" ON "clearing"."dsp_callbacks"("sent_at", "dead_at", "next_attempt_at");

