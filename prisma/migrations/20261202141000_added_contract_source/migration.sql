-- A received dataset (issue 14): the Dataspace Protocol agreement its events arrive under.
ALTER TABLE "registry"."data_contracts" ADD COLUMN "source" JSONB;
