-- Contract lifecycle (draft -> active -> deprecated -> retired), per-dataset compatibility mode, catalog
-- visibility and search columns. Existing contracts keep their status and become BACKWARD-checked datasets.

-- CreateTable
CREATE TABLE "registry"."datasets" (
    "id" TEXT NOT NULL,
    "owner_id" UUID NOT NULL,
    "compatibility" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "datasets_pkey" PRIMARY KEY ("id")
);

INSERT INTO "registry"."datasets" ("id", "owner_id", "compatibility", "created_at", "updated_at")
SELECT DISTINCT ON ("dataset") "dataset", "owner_id", 'BACKWARD', "created_at", CURRENT_TIMESTAMP
FROM "registry"."data_contracts"
ORDER BY "dataset", "created_at";

-- AlterTable
ALTER TABLE "registry"."data_contracts" ADD COLUMN     "compatibility" TEXT NOT NULL DEFAULT 'BACKWARD',
ADD COLUMN     "current" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "description" TEXT,
ADD COLUMN     "invited" TEXT[],
ADD COLUMN     "tags" TEXT[],
ADD COLUMN     "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "visibility" TEXT NOT NULL DEFAULT 'consortium';
ALTER TABLE "registry"."data_contracts" ALTER COLUMN "compatibility" DROP DEFAULT;

UPDATE "registry"."data_contracts" c SET "current" = true
WHERE c."id" IN (
  SELECT DISTINCT ON ("dataset") "id" FROM "registry"."data_contracts"
  WHERE "status" IN ('active', 'deprecated')
  ORDER BY "dataset", "created_at" DESC
);

-- CreateTable
CREATE TABLE "registry"."contract_transitions" (
    "id" BIGSERIAL NOT NULL,
    "contract_id" UUID NOT NULL,
    "from_status" TEXT,
    "to_status" TEXT NOT NULL,
    "actor_id" TEXT NOT NULL,
    "reason" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "contract_transitions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "datasets_owner_id_idx" ON "registry"."datasets"("owner_id");

-- CreateIndex
CREATE INDEX "contract_transitions_contract_id_idx" ON "registry"."contract_transitions"("contract_id");

-- CreateIndex
CREATE INDEX "data_contracts_current_dataset_idx" ON "registry"."data_contracts"("current", "dataset");

-- AddForeignKey
ALTER TABLE "registry"."datasets" ADD CONSTRAINT "datasets_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "registry"."participants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "registry"."data_contracts" ADD CONSTRAINT "data_contracts_dataset_fkey" FOREIGN KEY ("dataset") REFERENCES "registry"."datasets"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "registry"."contract_transitions" ADD CONSTRAINT "contract_transitions_contract_id_fkey" FOREIGN KEY ("contract_id") REFERENCES "registry"."data_contracts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
