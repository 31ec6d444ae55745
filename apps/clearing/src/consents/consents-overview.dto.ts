import { z } from 'zod';

export const OVERVIEW_PAGE_MAX = 500;
/** The most (originator, dataset, decision) groups counted in one answer. */
export const OVERVIEW_GROUPS_MAX = 1000;

const decision = z.enum(['permit', 'deny', 'withdrawn']);

export const ConsentOverviewQuerySchema = z.object({
  originator: z.uuid().optional().describe('Only this originator’s records'),
  dataset: z
    .string()
    .max(200)
    .optional()
    .describe("Only records for this dataset ('*': for all of an originator's)"),
  state: decision.optional().describe('Only records with this decision'),
  after: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, 'the `next` of the previous page')
    .optional()
    .describe('Cursor: the `next` of the previous page'),
  limit: z.coerce.number().int().min(1).max(OVERVIEW_PAGE_MAX).default(100),
});
export type ConsentOverviewQuery = z.infer<typeof ConsentOverviewQuerySchema>;

const at = z.string().describe('ISO 8601 date-time');

export const ConsentOverviewSchema = z.object({
  counts: z
    .array(
      z.object({
        originator: z.string(),
        originatorName: z.string().nullable(),
        dataset: z.string(),
        decision,
        count: z.number().int(),
      }),
    )
    .describe('Records per originator, dataset and decision, over every record the filter matches'),
  total: z.number().int().describe('Records the filter matches'),
  items: z.array(
    z.object({
      originator: z.string(),
      originatorName: z.string().nullable(),
      subjectRef: z.string().describe("The person's pseudonymous reference (nothing else about the person)"),
      dataset: z.string(),
      decision,
      source: z
        .enum(['fhir', 'opt-out', 'erasure', 'other'])
        .describe('Where the record came from: a FHIR Consent, an opt-out, an erasure'),
      provisions: z.number().int().describe('How many exceptions (FHIR provisions) the record has'),
      validFrom: at.nullable(),
      validUntil: at.nullable(),
      inForce: z.boolean().describe('Not withdrawn and within its validity now'),
      recordedAt: at,
    }),
  ),
  next: z.string().nullable().describe('Pass as `after` for the next page; null at the end'),
});
export type ConsentOverview = z.infer<typeof ConsentOverviewSchema>;

export const overviewExample: ConsentOverview = {
  counts: [
    {
      originator: '3f1c8a52-6a3e-4f7e-9c3e-2b8f0f5d7a10',
      originatorName: 'Kansai General Hospital',
      dataset: 'clinic.visits',
      decision: 'deny',
      count: 1,
    },
  ],
  total: 1,
  items: [
    {
      originator: '3f1c8a52-6a3e-4f7e-9c3e-2b8f0f5d7a10',
      originatorName: 'Kansai General Hospital',
      subjectRef: 'pt-7f3a91',
      dataset: 'clinic.visits',
      decision: 'deny',
      source: 'fhir',
      provisions: 1,
      validFrom: '2026-11-01T00:00:00.000Z',
      validUntil: '2027-10-31T00:00:00.000Z',
      inForce: true,
      recordedAt: '2026-11-21T06:00:00.000Z',
    },
  ],
  next: null,
};
