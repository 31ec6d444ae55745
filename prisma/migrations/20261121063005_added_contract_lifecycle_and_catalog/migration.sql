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

-- Existing versions invite nobody; their catalog tags are every tag on any field (what tagsOf() computes),
-- sorted and distinct. The columns are then NOT NULL (Prisma's String[] is never null) but carry no default:
-- schema.prisma declares none (a database default would show as drift), and the registry writes both lists.
UPDATE "registry"."data_contracts" c SET
  "invited" = ARRAY[]::TEXT[],
  "tags" = COALESCE(
    (
      SELECT array_agg(DISTINCT t.tag COLLATE "C" ORDER BY t.tag COLLATE "C")
      FROM jsonb_each(CASE WHEN jsonb_typeof(c."fields") = 'object' THEN c."fields" ELSE '{}'::jsonb END) AS f(name, terms)
      CROSS JOIN LATERAL jsonb_array_elements_text(
        CASE WHEN jsonb_typeof(f.terms -> 'tags') = 'array' THEN f.terms -> 'tags' ELSE '[]'::jsonb END
      ) AS t(tag)
    ),
    ARRAY[]::TEXT[]
  );
ALTER TABLE "registry"."data_contracts" ALTER COLUMN "invited" SET NOT NULL,
ALTER COLUMN "tags" SET NOT NULL;

-- The current version of each dataset: the newest active or deprecated one. The registry orders versions by
-- semantic version (currentVersion()); semver ordering (pre-release tags) is impractical in SQL, so this
-- deliberately uses created_at instead, which agrees whenever a dataset's versions were registered in
-- increasing order. The registry recomputes `current` by semver on the dataset's next publication or transition.
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
