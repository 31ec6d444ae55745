import { z } from 'zod';

const when = z.string().describe('ISO 8601 date-time');

/** The grant states offboarding ends (each becomes revoked). */
export const LiveGrantStates = ['requested', 'granted', 'suspended'] as const;

/** At most this many grants are listed per side; the counts are always complete. */
export const IMPACT_LIST_MAX = 500;

const ImpactGrantSchema = z.object({
  id: z.uuid(),
  dataset: z.string(),
  counterpart: z
    .string()
    .describe('The other party: the consumer (asOriginator) or the originator (asConsumer)'),
  state: z.enum(LiveGrantStates).describe('granted: in force, its stream ends at once when revoked'),
  purpose: z.string(),
});

export const OffboardingImpactSchema = z.object({
  participant: z.object({
    id: z.string(),
    legalName: z.string(),
    status: z.string().describe('As clearing knows it: active, suspended, pending or offboarded'),
  }),
  asOriginator: z.array(ImpactGrantSchema).describe('Live grants of its datasets to others'),
  asConsumer: z.array(ImpactGrantSchema).describe('Live grants it holds on others’ datasets'),
  deletionObligations: z
    .array(
      z.object({
        grantId: z.uuid(),
        dataset: z.string(),
        consumer: z.string().describe('Who will owe the deletion'),
        originator: z.string(),
        deletionDays: z.number().int(),
        dueAt: when.describe('When deletion would be due if offboarded now'),
      }),
    )
    .describe('What revoking would oblige consumers to delete: one per granted or suspended grant'),
  counts: z.object({
    asOriginator: z.number().int(),
    asConsumer: z.number().int(),
    requested: z.number().int().describe('Requests that would be withdrawn'),
    granted: z.number().int().describe('Grants in force: their streams end at once'),
    suspended: z.number().int(),
    deletionObligations: z.number().int(),
  }),
  truncated: z
    .boolean()
    .describe(`More than ${IMPACT_LIST_MAX} grants on a side: the lists are cut, the counts are not`),
});
export type OffboardingImpact = z.infer<typeof OffboardingImpactSchema>;

export const impactExample: OffboardingImpact = {
  participant: {
    id: '3f1c8a52-6a3e-4f7e-9c3e-2b8f0f5d7a10',
    legalName: 'Kansai Cell Works K.K.',
    status: 'active',
  },
  asOriginator: [
    {
      id: '7c2d1e0f-3b4a-4c5d-8e9f-0a1b2c3d4e5f',
      dataset: 'battery.cfp',
      counterpart: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
      state: 'granted',
      purpose: 'cfp-disclosure',
    },
  ],
  asConsumer: [],
  deletionObligations: [
    {
      grantId: '7c2d1e0f-3b4a-4c5d-8e9f-0a1b2c3d4e5f',
      dataset: 'battery.cfp',
      consumer: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
      originator: '3f1c8a52-6a3e-4f7e-9c3e-2b8f0f5d7a10',
      deletionDays: 30,
      dueAt: '2027-01-01T13:00:00.000Z',
    },
  ],
  counts: { asOriginator: 1, asConsumer: 0, requested: 0, granted: 1, suspended: 0, deletionObligations: 1 },
  truncated: false,
};
