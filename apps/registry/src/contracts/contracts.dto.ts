import { z } from 'zod';
import {
  Approvals,
  CompatibilityModes,
  ContractDomains,
  DatasetId,
  FieldTags,
  Purpose,
  Sensitivities,
  ContractStatuses,
  ProtectionLevels,
  Version,
  Visibilities,
} from '@renkei/domain';

/** A version exactly as the `semver` package reads it: every stored version is compared with it. */
const semverString = Version;
const country = z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 country code, e.g. JP');

export const FieldTermsSchema = z.object({
  tags: z.array(z.enum(FieldTags)).max(4).default([]),
  residency: country.nullable().default(null).describe("Country this field's values may not leave"),
  description: z.string().max(2000).nullable().default(null),
});

/** The terms of a contract version, as its owner submits them (also the shape of an ODCS import). */
export const ContractTermsInputSchema = z.object({
  title: z.string().min(1).max(200),
  description: z.string().max(4000).nullable().default(null),
  domain: z.enum(ContractDomains),
  purposes: z.array(Purpose).min(1).max(20),
  sensitivity: z.enum(Sensitivities),
  residency: country
    .nullable()
    .default(null)
    .describe('Country the whole dataset may not leave (e.g. JP), or null'),
  retentionDays: z.number().int().positive().max(36500).nullable().default(null),
  visibility: z
    .enum(Visibilities)
    .default('consortium')
    .describe("'consortium': every member can discover it; 'invited': only the invited participants"),
  invited: z.array(z.uuid()).max(500).default([]),
  approval: z
    .enum(Approvals)
    .default('originator')
    .describe(
      "Who approves grant requests (and agrees Dataspace Protocol negotiations): 'originator': you decide each request; 'policy': a request the policy allows is approved at once",
    ),
  fields: z.record(z.string(), FieldTermsSchema).default({}),
  schema: z.record(z.string(), z.unknown()).describe('JSON Schema 2020-12 for the event payload'),
});

/** A bounded id another connector chose (an agreement or dataset id): printable, no control characters. */
const ForeignId = z
  .string()
  .min(1)
  .max(512)
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'no control characters');

/** A received dataset's origin: the DSP agreement, the provider connector (participant id), its dataset. */
export const ContractSourceSchema = z.object({
  agreementId: ForeignId.describe("The agreement's @id, as the provider named it"),
  provider: z.uuid().describe('The provider connector: its participant id here (the registered peer)'),
  dataset: ForeignId.describe("The provider's dataset id (its DSP @id)"),
});

export const RegisterContractSchema = ContractTermsInputSchema.extend({
  dataset: DatasetId,
  version: semverString,
  status: z
    .enum(['draft', 'active'])
    .default('active')
    .describe("'active' publishes at once; 'draft' keeps the version editable until it is activated"),
  compatibility: z
    .enum(CompatibilityModes)
    .optional()
    .describe("The dataset's compatibility mode, set with its first version (default BACKWARD)"),
  lineage: z
    .array(
      z.object({
        dataset: DatasetId,
        version: semverString,
      }),
    )
    .min(1)
    .max(100)
    .optional()
    .describe(
      "A derived dataset's inputs: it is governed by all of their terms (the policy refuses it to anyone without access to every input)",
    ),
  derived: z
    .object({
      aggregate: z.boolean().describe('Each event aggregates many contributors and reveals no single one'),
      contributors: z
        .number()
        .int()
        .min(0)
        .nullable()
        .default(null)
        .describe(
          'Not needed: the registry counts the distinct originators behind the verified lineage itself; a larger count is refused',
        ),
    })
    .optional()
    .describe('With lineage: whether results are aggregates, and over how many contributors'),
  source: ContractSourceSchema.optional().describe(
    'A dataset received from another data space: the Dataspace Protocol agreement its events arrive under (a consumer transfer with `into` = this dataset delivers only under it); shown in the catalog as the lineage (dct:source)',
  ),
});
export type RegisterContract = z.infer<typeof RegisterContractSchema>;

export const UpdateDraftSchema = ContractTermsInputSchema;
export type UpdateDraft = z.infer<typeof UpdateDraftSchema>;

export const TransitionSchema = z.object({
  reason: z.string().min(1).max(1000).nullable().default(null).describe('Why; shown to consumers'),
});
export type Transition = z.infer<typeof TransitionSchema>;

export const CompatibilitySettingSchema = z.object({ compatibility: z.enum(CompatibilityModes) });
export type CompatibilitySetting = z.infer<typeof CompatibilitySettingSchema>;

export const CompatibilityCheckSchema = z.object({
  version: semverString.optional().describe('The version it would be; default: next minor'),
  schema: z.record(z.string(), z.unknown()),
});
export type CompatibilityCheck = z.infer<typeof CompatibilityCheckSchema>;

export const CatalogQuerySchema = z.object({
  q: z.string().max(200).optional().describe('Text in the dataset id, title or description'),
  domain: z.enum(ContractDomains).optional(),
  owner: z.uuid().optional().describe('Owner participant id'),
  tag: z.enum(FieldTags).optional().describe('Datasets with at least one field carrying this tag'),
  purpose: z.string().max(61).optional().describe('Datasets that allow this purpose'),
  status: z.enum(['active', 'deprecated']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
});
export type CatalogQuery = z.infer<typeof CatalogQuerySchema>;

const batterySchema = {
  type: 'object',
  required: ['lotId', 'cfpKgCo2ePerKwh'],
  properties: {
    lotId: { type: 'string' },
    cfpKgCo2ePerKwh: { type: 'number', minimum: 0 },
    unitPriceJpy: { type: 'number' },
  },
  additionalProperties: false,
};

export const registerExample = {
  dataset: 'battery.cfp',
  version: '1.0.0',
  title: 'Battery cell carbon footprint',
  description: 'Cradle-to-gate carbon footprint per cell lot, EU Battery Regulation method',
  domain: 'supply-chain',
  purposes: ['cfp-disclosure'],
  sensitivity: 'confidential',
  residency: null,
  retentionDays: 365,
  compatibility: 'BACKWARD',
  visibility: 'consortium',
  approval: 'originator',
  fields: {
    unitPriceJpy: { tags: ['competitive'] },
    cfpKgCo2ePerKwh: { tags: ['cooperative'], description: 'kg CO2e per kWh of capacity' },
  },
  schema: batterySchema,
};

export const compatibilityCheckExample = {
  version: '2.0.0',
  schema: { ...batterySchema, required: ['lotId', 'cfpKgCo2ePerKwh', 'plantId'] },
};

// ------------------------------------------------------------------ responses (OpenAPI)

const when = z.string().describe('ISO 8601 date-time');

/** A contract version as the registry answers it (the shape of ContractDto). */
export const ContractSchema = z.object({
  dataset: z.string(),
  version: z.string(),
  owner: z.uuid(),
  status: z.enum(ContractStatuses),
  current: z.boolean(),
  title: z.string(),
  description: z.string().nullable(),
  domain: z.enum(ContractDomains),
  purposes: z.array(z.string()),
  sensitivity: z.enum(Sensitivities),
  minimumProtection: z.enum(ProtectionLevels),
  residency: z.string().nullable(),
  retentionDays: z.number().int().nullable(),
  compatibility: z.enum(CompatibilityModes),
  visibility: z.enum(Visibilities),
  invited: z.array(z.string()).describe('Only the owner sees whom it invited; anyone else: []'),
  approval: z.enum(Approvals).describe("Who approves grant requests: 'originator' or 'policy'"),
  fields: z.record(
    z.string(),
    z.object({
      tags: z.array(z.string()),
      residency: z.string().nullable().optional(),
      description: z.string().nullable().optional(),
    }),
  ),
  schema: z.record(z.string(), z.unknown()),
  lineage: z.array(z.object({ dataset: z.string(), version: z.string() })).optional(),
  source: z
    .object({ agreementId: z.string(), provider: z.string(), dataset: z.string() })
    .optional()
    .describe('A received dataset: the DSP agreement, provider connector and provider dataset'),
  derived: z
    .object({
      aggregate: z.boolean(),
      contributors: z.number().int().nullable(),
      verified: z.boolean().describe('Whether the registry counted the contributors itself'),
    })
    .optional(),
  createdAt: when,
  updatedAt: when,
});

export const CatalogPageSchema = z.object({
  items: z.array(ContractSchema),
  nextCursor: z.string().nullable(),
});

/** DCAT 3 / Dataspace Protocol JSON-LD: only the frame is fixed here, the vocabulary is DCAT's. */
export const DcatCatalogSchema = z
  .object({
    '@context': z.unknown(),
    '@type': z.string(),
    '@id': z.string(),
    dataset: z.array(z.record(z.string(), z.unknown())),
  })
  .catchall(z.unknown());

export const TransitionRecordSchema = z.object({
  from: z.enum(ContractStatuses).nullable(),
  to: z.enum(ContractStatuses),
  actor: z.string(),
  reason: z.string().nullable(),
  at: when,
});

export const CompatibilityReportSchema = z.object({
  dataset: z.string(),
  version: z.string(),
  compatibility: z.enum(CompatibilityModes),
  checkedAgainst: z.array(z.string()),
  compatible: z.boolean(),
  breaks: z.array(
    z
      .object({ schemaPath: z.string(), message: z.string(), kind: z.string(), field: z.string() })
      .catchall(z.unknown()),
  ),
});

export const CompatibilitySettingResultSchema = z.object({
  dataset: z.string(),
  compatibility: z.enum(CompatibilityModes),
  updatedAt: when,
});

export const OdcsImportResultSchema = z.object({
  contract: ContractSchema,
  warnings: z.array(z.string()).describe('What the import ignored or assumed, each naming its path'),
});

/** A contract version as the HTTP API answers it: the response schema's type, so the two cannot drift. */
export type ContractDto = z.output<typeof ContractSchema>;
export type CatalogPage = z.output<typeof CatalogPageSchema>;
