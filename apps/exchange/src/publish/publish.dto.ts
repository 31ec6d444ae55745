import { z } from 'zod';
import { EventType, SubjectRef, Version } from '@renkei/domain';

export const PublishBatchSchema = z.object({
  contractVersion: Version.optional().describe(
    'The contract version the payloads follow; default: the current one',
  ),
  events: z
    .array(
      z.object({
        id: z.uuid().optional().describe('Your event id (UUID), for deduplication; generated if absent'),
        type: EventType.optional(),
        subject: SubjectRef.optional().describe(
          'Entity the event is about; events of one subject stay in order',
        ),
        labels: z
          .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/))
          .max(32)
          .optional()
          .describe(
            "Labels of the record (e.g. a security label code such as HIV, or a code such as a LOINC code); persons' consents may permit or deny by them",
          ),
        occurredAt: z.iso.datetime({ offset: true }).optional(),
        payload: z.record(z.string(), z.unknown()),
      }),
    )
    .min(1)
    .max(1000),
});
export type PublishBatch = z.infer<typeof PublishBatchSchema>;

export const publishExample = {
  events: [
    {
      subject: 'lot-2026-11-0042',
      occurredAt: '2026-11-21T09:00:00+09:00',
      payload: {
        lotId: 'lot-2026-11-0042',
        cellModel: 'KCW-NMC811-50Ah',
        cfpKgCo2ePerKwh: 61.4,
        unitPriceJpy: 9800,
      },
    },
  ],
};

export interface PublishResult {
  accepted: number;
  dataset: string;
  contractVersion: string;
  /** E.g. the version is deprecated: still accepted, but plan the move. */
  warnings?: string[];
  eventIds: string[];
  /** Where the batch landed: Kafka's base offset per partition written. */
  partitions: { partition: number; baseOffset: string }[];
}

// ------------------------------------------------------------------ responses (OpenAPI)

/** What a publish answers once Kafka acknowledged every event (the shape of PublishResult). */
export const PublishResultSchema = z.object({
  accepted: z.number().int(),
  dataset: z.string(),
  contractVersion: z.string(),
  warnings: z.array(z.string()).optional(),
  eventIds: z.array(z.string()),
  partitions: z.array(z.object({ partition: z.number().int(), baseOffset: z.string() })),
});
