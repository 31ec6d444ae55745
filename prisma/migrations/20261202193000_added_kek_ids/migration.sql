-- The id of the key-encryption key that wrapped each data key and signing key (ADR 0037), so that the KEK can
-- be rotated: unwrapping picks the KEK the row names, and re-wrapping moves rows to the current one. NULL: a
-- row wrapped before ids were recorded (tried against every configured KEK; the rotation gives it an id).
ALTER TABLE "clearing"."data_keys" ADD COLUMN "kek_id" TEXT;
ALTER TABLE "clearing"."signing_keys" ADD COLUMN "kek_id" TEXT;
-- The rotation looks for rows still under another KEK.
CREATE INDEX "data_keys_kek_id_idx" ON "clearing"."data_keys" ("kek_id");
