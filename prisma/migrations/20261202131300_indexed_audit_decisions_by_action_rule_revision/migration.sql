-- Decisions are filtered by policy action, deciding rule and policy bundle revision (GET /audit/entries
-- ?action=&rule=&revision=). The three columns are generated from the hashed payload: they can be neither
-- written nor changed on their own, so the append-only trigger and the hash chain cover them through the
-- payload. A decision recorded before decisions named their rule gets the rule the policy names now: the
-- first (sorted) reason of a deny, ALLOW.<ACTION> for an allow (libs/policy decision-record.ts).
CREATE FUNCTION "clearing".audit_decision_action(kind TEXT, payload JSONB) RETURNS TEXT
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE WHEN kind = 'decision' THEN payload->>'action' END;

CREATE FUNCTION "clearing".audit_decision_rule(kind TEXT, allow BOOLEAN, payload JSONB) RETURNS TEXT
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE WHEN kind = 'decision' THEN COALESCE(
    payload->>'rule',
    CASE WHEN allow THEN 'ALLOW.' || upper(translate(payload->>'action', '.-', '__'))
         ELSE COALESCE(payload->'reasons'->>0, 'POLICY.DENIED') END
  ) END;

CREATE FUNCTION "clearing".audit_decision_revision(kind TEXT, payload JSONB) RETURNS TEXT
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE WHEN kind = 'decision' THEN payload->>'policyRevision' END;

ALTER TABLE "clearing"."audit_log"
  ADD COLUMN "action" TEXT GENERATED ALWAYS AS ("clearing".audit_decision_action("kind", "payload")) STORED,
  ADD COLUMN "rule" TEXT GENERATED ALWAYS AS ("clearing".audit_decision_rule("kind", "allow", "payload")) STORED,
  ADD COLUMN "policy_revision" TEXT
    GENERATED ALWAYS AS ("clearing".audit_decision_revision("kind", "payload")) STORED;

CREATE INDEX "audit_log_action_seq_idx" ON "clearing"."audit_log"("action", "seq");
CREATE INDEX "audit_log_rule_seq_idx" ON "clearing"."audit_log"("rule", "seq");
CREATE INDEX "audit_log_policy_revision_seq_idx" ON "clearing"."audit_log"("policy_revision", "seq");
