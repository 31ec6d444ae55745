-- AlterTable
ALTER TABLE "registry"."data_contracts" ADD COLUMN     "derived" JSONB,
ADD COLUMN     "lineage" JSONB;
