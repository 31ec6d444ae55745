import { z } from 'zod';
import { DatasetId, GrantStates, HISTORY_ALL, Purpose } from '@renkei/domain';

/** A history term: 'all' (everything still on the topic) or an ISO time from which events are covered. */
export const HistoryFromSchema = z.union([z.literal(HISTORY_ALL), z.iso.datetime({ offset: true })]);

export const RequestGrantSchema = z.object({
  dataset: DatasetId,
  purpose: Purpose,
  fields: z
    .array(z.string().min(1))
    .min(1)
    .max(200)
    .nullable()
    .default(null)
    .describe('Fields asked for; null = all the contract allows'),
  validUntil: z.iso.datetime({ offset: true }).nullable().default(null),
  onwardTransfer: z.boolean().default(false),
  deletionDays: z
    .number()
    .int()
    .min(0)
    .max(3650)
    .default(30)
    .describe('Days after the grant ends by which the consumer must delete'),
  historyFrom: HistoryFromSchema.nullable()
    .default(null)
    .describe(
      "The past the consumer asks for: 'all', or events published since an ISO time; null = only from approval. The originator decides on approval.",
    ),
});
export type RequestGrant = z.infer<typeof RequestGrantSchema>;

export const requestExample = {
  dataset: 'battery.cfp',
  purpose: 'cfp-disclosure',
  fields: null,
  validUntil: '2027-03-31T00:00:00Z',
};

export const GrantActionSchema = z.object({ reason: z.string().max(500).nullable().default(null) });
export type GrantAction = z.infer<typeof GrantActionSchema>;

export const ApproveGrantSchema = GrantActionSchema.extend({
  historyFrom: HistoryFromSchema.optional().describe(
    "From when the grant covers events already published: 'all', or an ISO time. Default: what the consumer asked for, else the moment of approval (nothing published before it is delivered).",
  ),
});
export type ApproveGrant = z.infer<typeof ApproveGrantSchema>;

export const ListGrantsSchema = z.object({
  role: z.enum(['originator', 'consumer', 'any']).default('any'),
  state: z.enum(Object.keys(GrantStates) as [keyof typeof GrantStates]).optional(),
  dataset: z.string().optional(),
});
export type ListGrants = z.infer<typeof ListGrantsSchema>;

export const grantExample = {
  id: '7c2d1e0f-3b4a-4c5d-8e9f-0a1b2c3d4e5f',
  state: 'granted',
  originator: '3f1c8a52-6a3e-4f7e-9c3e-2b8f0f5d7a10',
  consumer: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
  dataset: 'battery.cfp',
  purpose: 'cfp-disclosure',
  fields: null,
  validFrom: '2026-11-21T06:00:00.000Z',
  validUntil: '2027-11-21T00:00:00.000Z',
  onwardTransfer: false,
  deletionDays: 30,
  historyFrom: '2026-11-21T06:05:00.000Z',
  historyRequested: null,
  createdAt: '2026-11-21T06:00:00.000Z',
  updatedAt: '2026-11-21T06:05:00.000Z',
};

// ------------------------------------------------------------------ responses (OpenAPI)

const when = z.string().describe('ISO 8601 date-time');

/** A history term as stored: 'all' or an ISO time (a plain string: OpenAPI 3.0 cannot mark a union null). */
const history = z.string().nullable();

/** A grant as clearing answers it (the shape of GrantDto). */
export const GrantSchema = z.object({
  id: z.uuid(),
  state: z.enum(Object.keys(GrantStates) as [keyof typeof GrantStates]),
  originator: z.uuid(),
  consumer: z.uuid(),
  dataset: z.string(),
  purpose: z.string(),
  fields: z.array(z.string()).nullable(),
  validFrom: when,
  validUntil: when.nullable(),
  onwardTransfer: z.boolean(),
  deletionDays: z.number().int(),
  historyFrom: history.describe(
    "From when the grant covers the topic's past: 'all', an ISO time, or null until approved",
  ),
  historyRequested: history.describe(
    "What the consumer asked for in its request: 'all', an ISO time, or null",
  ),
  createdAt: when,
  updatedAt: when,
});

/** A grant as the HTTP API answers it: the response schema's type, so the two cannot drift. */
export type GrantDto = z.output<typeof GrantSchema>;
