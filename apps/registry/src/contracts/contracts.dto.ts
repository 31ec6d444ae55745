import { z } from 'zod';
import { DATASET_ID_PATTERN, FieldTags, Sensitivities } from '#libs/domain';

const semver = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?$/;

export const RegisterContractSchema = z.object({
  dataset: z.string().regex(DATASET_ID_PATTERN, 'dotted lower-case name, e.g. battery.cfp'),
  version: z.string().regex(semver, 'semantic version, e.g. 1.0.0'),
  title: z.string().min(1).max(200),
  domain: z.enum(['supply-chain', 'logistics', 'energy', 'health', 'other']),
  purposes: z
    .array(z.string().regex(/^[a-z][a-z0-9-]{1,60}$/))
    .min(1)
    .max(20),
  sensitivity: z.enum(Sensitivities),
  residency: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .nullable()
    .default(null)
    .describe('Country the data may not leave (e.g. JP), or null'),
  retentionDays: z.number().int().positive().max(36500).nullable().default(null),
  fields: z.record(z.string(), z.object({ tags: z.array(z.enum(FieldTags)).max(4) })).default({}),
  schema: z.record(z.string(), z.unknown()).describe('JSON Schema 2020-12 for the event payload'),
});
export type RegisterContract = z.infer<typeof RegisterContractSchema>;

export const registerExample = {
  dataset: 'battery.cfp',
  version: '1.0.0',
  title: 'Battery cell carbon footprint',
  domain: 'supply-chain',
  purposes: ['cfp-disclosure'],
  sensitivity: 'confidential',
  residency: null,
  fields: { unitPriceJpy: { tags: ['competitive'] }, cfpKgCo2ePerKwh: { tags: ['cooperative'] } },
  schema: {
    type: 'object',
    required: ['lotId', 'cfpKgCo2ePerKwh'],
    properties: {
      lotId: { type: 'string' },
      cfpKgCo2ePerKwh: { type: 'number', minimum: 0 },
      unitPriceJpy: { type: 'number' },
    },
    additionalProperties: false,
  },
};

export interface ContractDto {
  dataset: string;
  version: string;
  owner: string;
  status: string;
  title: string;
  domain: string;
  purposes: string[];
  sensitivity: string;
  residency: string | null;
  retentionDays: number | null;
  fields: unknown;
  schema: unknown;
  createdAt: string;
}
