-- Which clearing replica reads a started consumer transfer's data into the member's dataset (ADR 0036): one
-- replica at a time holds the lease and renews it; when its holder dies the lease lapses and another
-- replica takes the delivery up. NULL: nobody delivers it (yet).
ALTER TABLE "clearing"."dsp_transfers" ADD COLUMN "delivery_owner" TEXT;
ALTER TABLE "clearing"."dsp_transfers" ADD COLUMN "delivery_until" TIMESTAMPTZ(3);
