import { z } from 'zod';
import { DatasetId, Purpose } from '@renkei/domain';

const when = z.string().describe('ISO 8601 date-time');

/** POST /inputs */
export const RequestInputSchema = z.object({
  dataset: DatasetId.describe('dotted lower-case name, e.g. euv.supply'),
  purpose: Purpose.describe('a purpose the contract offers, e.g. supply-risk'),
});
export type RequestInput = z.infer<typeof RequestInputSchema>;

/** One input the twin (or a run) was built from. */
export const LineageEntrySchema = z.object({
  dataset: z.string(),
  version: z.string(),
  events: z.number().int(),
  lastEventId: z.string().nullable(),
  originators: z.array(z.string()),
});

export const InputSchema = z.object({
  dataset: z.string(),
  purpose: z.string().nullable(),
  grant: z.object({ id: z.string(), state: z.string() }).nullable(),
  state: z.string(),
  eventsApplied: z.number().int(),
  lastEventId: z.string().nullable(),
  positions: z.record(z.string(), z.string()),
  contractVersions: z.array(z.string()),
  lastError: z.string().nullable(),
});

export const TwinSchema = z.object({
  asOf: when.nullable(),
  digest: z.string(),
  counts: z.object({
    facilities: z.number().int(),
    bom: z.number().int(),
    links: z.number().int(),
    hospitals: z.number().int(),
  }),
  inputs: z.array(LineageEntrySchema),
  sources: z.array(
    z.object({
      dataset: z.string(),
      lastEventId: z.string().nullable(),
      events: z.number().int(),
      ignored: z.number().int().optional(),
    }),
  ),
});

export const RebuildSchema = z.object({
  before: z.string(),
  after: z.string(),
  events: z.number().int(),
  identical: z.boolean(),
});
