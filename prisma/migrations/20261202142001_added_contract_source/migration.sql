-- A dataset received from another data space names the external agreement its events arrive under
-- ({agreementId, provider, dataset?}; ADR 0029). Existing versions are the owners' own data: null.
ALTER TABLE "registry"."data_contracts" ADD COLUMN "source" JSONB;
