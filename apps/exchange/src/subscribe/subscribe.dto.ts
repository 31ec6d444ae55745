import { z } from 'zod';

const when = z.string().describe('ISO 8601 date-time');

/** An event as a stream delivers it: the envelope as published, with what the policy obliged done to it. */
const DeliveredEventSchema = z.object({
  id: z.string(),
  type: z.string().describe("The event type (the envelope's `type`)"),
  schemaVersion: z.string(),
  occurredAt: when.describe('When it happened, as the publisher said (defaults to the publish time)'),
  publishedAt: when,
  dataset: z.string(),
  contractVersion: z.string(),
  originator: z.string(),
  subject: z.string().optional().describe('The person or thing it is about (pseudonymised where obliged)'),
  labels: z.array(z.string()).optional(),
  payload: z.record(z.string(), z.unknown()),
  erased: z
    .array(z.string())
    .optional()
    .describe('Protected fields whose data key was destroyed (crypto-shredded): gone for good'),
});

/**
 * One line of a delivery stream (NDJSON): an event, a notice about the contract, a heartbeat, or the end.
 * The OpenAPI document gives it as the schema of the `application/x-ndjson` answer: each line follows it.
 */
export const StreamLineSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('event'),
    event: DeliveredEventSchema,
    position: z
      .string()
      .describe('partition:offset; pass the last one you processed per partition as `after` to resume there'),
  }),
  z.object({ type: z.literal('heartbeat'), at: when }),
  z.object({
    type: z.literal('notice'),
    code: z.enum(['CONTRACT.NEW_VERSION', 'CONTRACT.DEPRECATED', 'CONTRACT.RETIRED']),
    dataset: z.string(),
    version: z.string(),
    message: z.string(),
    reason: z.string().nullable(),
  }),
  z.object({
    type: z.literal('end'),
    code: z.string().describe('Why the stream ended'),
    message: z.string(),
    rule: z
      .string()
      .optional()
      .describe('A delivery the policy denied: the rule that decided (its first reason)'),
    explanation: z
      .string()
      .optional()
      .describe("A delivery the policy denied: the rule's explanation in English"),
    position: z
      .string()
      .optional()
      .describe(
        'partition:offset,… of the last events this stream gave you or skipped past (withheld records): pass it as `after` to resume with nothing lost or repeated',
      ),
  }),
]);
export type StreamLine = z.output<typeof StreamLineSchema>;

/** Where a stream starts: after given positions (partition → offset), or from the start of the topic. */
export type StreamStart = ReadonlyMap<number, bigint> | 'start';

// ------------------------------------------------------------------ request (OpenAPI)

/** `?after=`: parsed by SubscribeService.parsePositions. */
export const AFTER_DESCRIPTION =
  "Resume after these positions (partition:offset of the last events you processed), or 'start' to replay everything still on the topic (every event is decided again under your grant); default: after the last events the platform wrote to you";

// ------------------------------------------------------------------ response (OpenAPI)

/** One example of each kind of line. */
export const streamExamples = {
  event: {
    summary: 'An event',
    value: {
      type: 'event',
      event: {
        id: '0c8e4a52-1f7b-4c5e-9b2a-7d3f6e1a9c04',
        type: 'battery.cfp.measured',
        schemaVersion: '1.1.0',
        occurredAt: '2026-11-21T06:58:00.000Z',
        publishedAt: '2026-11-21T07:00:00.000Z',
        dataset: 'battery.cfp',
        contractVersion: '1.1.0',
        originator: '3f1c8a52-6a3e-4f7e-9c3e-2b8f0f5d7a10',
        subject: 'lot-2026-11-0001',
        payload: { lotId: 'lot-2026-11-0001', cfpKgCo2ePerKwh: 61.4 },
      },
      position: '1:41',
    },
  },
  notice: {
    summary: 'The contract version the stream reads under was deprecated',
    value: {
      type: 'notice',
      code: 'CONTRACT.DEPRECATED',
      dataset: 'battery.cfp',
      version: '1.0.0',
      message: "Version 1.0.0 of 'battery.cfp' is deprecated",
      reason: 'Use 1.1.0',
    },
  },
  heartbeat: { summary: 'A heartbeat', value: { type: 'heartbeat', at: '2026-11-21T07:00:15.000Z' } },
  end: {
    summary: 'The last line',
    value: { type: 'end', code: 'GRANT.REVOKED', message: 'The grant is now revoked' },
  },
};

/** A snapshot's lines: events, then the end that says whether everything was read. */
export const snapshotExamples = {
  event: streamExamples.event,
  complete: {
    summary: 'The last line: everything on the topic when the read began was read',
    value: {
      type: 'end',
      code: 'SNAPSHOT.COMPLETE',
      message: 'Everything on the topic when the snapshot opened was read',
    },
  },
  partial: {
    summary: 'The last line: the read stopped at its limit; read again with after=',
    value: {
      type: 'end',
      code: 'SNAPSHOT.PARTIAL',
      message: 'The snapshot read its limit of 10000 events; read again with ?after= your last positions',
    },
  },
};
