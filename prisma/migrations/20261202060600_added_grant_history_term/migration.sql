-- A grant's history term: from when it covers the topic's past (set on approval; epoch 0 = everything),
-- and what the consumer asked for.
ALTER TABLE "clearing"."grants" ADD COLUMN "history_from" TIMESTAMPTZ(3),
ADD COLUMN "history_requested" TEXT;

-- Grants approved before the term existed were served the whole topic: they keep exactly that, so no
-- consumer's replay changes under it. Pending requests get the default (from approval) when approved.
UPDATE "clearing"."grants" SET "history_from" = TIMESTAMPTZ '1970-01-01 00:00:00+00'
WHERE "state" IN ('granted', 'suspended', 'revoked', 'expired');
