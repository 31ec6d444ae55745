-- Who approves grant requests on a contract version (and agrees a Dataspace Protocol negotiation, ADR 0029):
-- 'originator' (the owner decides each request, what every existing version keeps) or 'policy'.
ALTER TABLE "registry"."data_contracts" ADD COLUMN "approval" TEXT NOT NULL DEFAULT 'originator';
