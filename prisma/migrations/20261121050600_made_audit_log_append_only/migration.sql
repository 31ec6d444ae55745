-- The audit log is append-only: the database itself refuses UPDATE, DELETE and TRUNCATE.
-- (A privileged user could disable the trigger; the hash chain still exposes any change.)
CREATE OR REPLACE FUNCTION "clearing".refuse_audit_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'clearing.audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_append_only_rows
  BEFORE UPDATE OR DELETE ON "clearing"."audit_log"
  FOR EACH ROW EXECUTE FUNCTION "clearing".refuse_audit_change();

CREATE TRIGGER audit_log_append_only_truncate
  BEFORE TRUNCATE ON "clearing"."audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "clearing".refuse_audit_change();
