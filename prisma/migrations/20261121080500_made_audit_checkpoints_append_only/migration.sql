-- Signed audit checkpoints are append-only like the log they vouch for: the database refuses UPDATE,
-- DELETE and TRUNCATE. (A privileged user could disable the trigger; a changed checkpoint fails its
-- signature, and removed ones are caught by the receipts originators keep.)
CREATE OR REPLACE FUNCTION "clearing".refuse_checkpoint_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'clearing.audit_checkpoints is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_checkpoints_append_only_rows
  BEFORE UPDATE OR DELETE ON "clearing"."audit_checkpoints"
  FOR EACH ROW EXECUTE FUNCTION "clearing".refuse_checkpoint_change();

CREATE TRIGGER audit_checkpoints_append_only_truncate
  BEFORE TRUNCATE ON "clearing"."audit_checkpoints"
  FOR EACH STATEMENT EXECUTE FUNCTION "clearing".refuse_checkpoint_change();
