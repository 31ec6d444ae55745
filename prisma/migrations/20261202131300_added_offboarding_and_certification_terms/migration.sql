-- Attested certifications carry their evidence and expiry; a participant can be offboarded (final), with
-- when and why.
ALTER TABLE "registry"."participants" ADD COLUMN "certification_terms" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN "offboarded_at" TIMESTAMPTZ(3),
ADD COLUMN "offboard_reason" TEXT;

-- Compliance's overview of persons' consents pages newest first.
CREATE INDEX "person_consents_recorded_at_id_idx" ON "clearing"."person_consents"("recorded_at" DESC, "id" DESC);
