-- Persons' consents keep their FHIR R5 tree (base decision + nested provisions), one row per consent.
ALTER TABLE "clearing"."person_consents" ADD COLUMN "consent_key" TEXT;
ALTER TABLE "clearing"."person_consents" ADD COLUMN "provisions" JSONB NOT NULL DEFAULT '[]';

-- Services' projections know existing rows from older events as `legacy:<dataset>`; the first write of a
-- migrated row withdraws that record (apps/clearing/src/consents/consents.service.ts).
UPDATE "clearing"."person_consents"
SET "source" = COALESCE("source", '{}'::jsonb) || jsonb_build_object('migratedFromDataset', "dataset");

-- Existing rows: the FHIR id names the consent when it is unique for the person; otherwise a legacy key.
UPDATE "clearing"."person_consents" p SET "consent_key" = CASE
  WHEN p."fhir_id" IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM "clearing"."person_consents" o
    WHERE o."originator_id" = p."originator_id" AND o."subject_ref" = p."subject_ref"
      AND o."fhir_id" = p."fhir_id" AND o."id" <> p."id")
  THEN 'fhir:' || p."fhir_id"
  WHEN p."source"->>'kind' = 'opt-out' THEN 'renkei:opt-out:' || p."dataset"
  WHEN p."source"->>'kind' = 'erasure' THEN 'renkei:erasure:' || p."dataset"
  ELSE 'legacy:' || p."id"
END;

-- A permit naming purposes was read as "permit for those purposes" while R5 means "permit EXCEPT them":
-- it is kept as a deny (nothing delivered) until the originator imports the Consent again.
UPDATE "clearing"."person_consents" SET "decision" = 'deny'
WHERE "decision" = 'permit' AND cardinality("purposes") > 0;

ALTER TABLE "clearing"."person_consents" ALTER COLUMN "consent_key" SET NOT NULL;
ALTER TABLE "clearing"."person_consents" DROP COLUMN "purposes";
DROP INDEX "clearing"."person_consents_originator_id_subject_ref_dataset_key";
CREATE UNIQUE INDEX "person_consents_originator_id_subject_ref_consent_key_key" ON "clearing"."person_consents"("originator_id", "subject_ref", "consent_key");

-- Per-person keys of the audit chain's person tags (erasure deletes the row).
CREATE TABLE "clearing"."audit_person_keys" (
    "id" UUID NOT NULL,
    "originator_id" UUID NOT NULL,
    "subject_ref" TEXT NOT NULL,
    "key" BYTEA NOT NULL,
    "tag" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_person_keys_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "audit_person_keys_tag_key" ON "clearing"."audit_person_keys"("tag");
CREATE UNIQUE INDEX "audit_person_keys_originator_id_subject_ref_key" ON "clearing"."audit_person_keys"("originator_id", "subject_ref");
