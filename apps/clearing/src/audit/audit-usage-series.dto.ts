import { z } from 'zod';

/** The most buckets one series answers (e.g. 366 days, or 15 days of hours). */
export const SERIES_MAX_BUCKETS = 366;
/** The most rows one series answers (buckets × datasets × consumers × purposes). */
export const SERIES_MAX_ROWS = 10_000;

const HOUR_MS = 3_600_000;
export const bucketMs = { hour: HOUR_MS, day: 24 * HOUR_MS } as const;
/** Default span when `from` is not given. */
const defaultSpan = { hour: 48, day: 30 } as const;

const when = z.iso.datetime({ offset: true });

export const UsageSeriesQuerySchema = z
  .object({
    dataset: z
      .string()
      .max(200)
      .optional()
      .describe('One of your datasets (default: all of them; compliance officers must name one)'),
    bucket: z
      .enum(['hour', 'day'])
      .default('day')
      .describe('Bucket size; buckets start on the UTC hour or day'),
    from: when.optional().describe('Start (default: 48 hours or 30 days before `to`)'),
    to: when.optional().describe('End, exclusive (default: now)'),
  })
  .superRefine((q, ctx) => {
    const { from, to } = seriesSpan(q);
    if (from.getTime() >= to.getTime()) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before `to`' });
    } else if ((to.getTime() - from.getTime()) / bucketMs[q.bucket] > SERIES_MAX_BUCKETS) {
      ctx.addIssue({
        code: 'custom',
        path: ['from'],
        message: `at most ${SERIES_MAX_BUCKETS} ${q.bucket} buckets: narrow the span or use bucket=day`,
      });
    }
  });

/** The span a series query covers, its defaults filled in. */
export function seriesSpan(q: { bucket: 'hour' | 'day'; from?: string; to?: string }): {
  from: Date;
  to: Date;
} {
  const to = q.to ? new Date(q.to) : new Date();
  const from = q.from
    ? new Date(q.from)
    : new Date(to.getTime() - defaultSpan[q.bucket] * bucketMs[q.bucket]);
  return { from, to };
}
export type UsageSeriesQuery = z.infer<typeof UsageSeriesQuerySchema>;

const at = z.string().describe('ISO 8601 date-time');

export const UsageSeriesSchema = z.object({
  bucket: z.enum(['hour', 'day']),
  from: at,
  to: at,
  datasets: z.array(z.string()),
  rows: z.array(
    z.object({
      bucket: at.describe('Start of the bucket (UTC)'),
      dataset: z.string(),
      consumer: z.string(),
      purpose: z.string().nullable(),
      deliveries: z.number().int().describe('Allowed delivery decisions'),
      events: z.number().int().describe('Events those deliveries carried'),
      tokens: z.number().int().describe('Dataset tokens issued'),
      denied: z.number().int().describe('Decisions that refused the consumer'),
    }),
  ),
  truncated: z.boolean().describe(`More than ${SERIES_MAX_ROWS} rows: the latest are cut`),
});
export type UsageSeries = z.infer<typeof UsageSeriesSchema>;

export const usageSeriesExample: UsageSeries = {
  bucket: 'day',
  from: '2026-11-01T00:00:00.000Z',
  to: '2026-12-01T00:00:00.000Z',
  datasets: ['battery.cfp'],
  rows: [
    {
      bucket: '2026-11-20T00:00:00.000Z',
      dataset: 'battery.cfp',
      consumer: 'c0a80101-0000-4000-8000-000000000002',
      purpose: 'cfp-disclosure',
      deliveries: 12,
      events: 340,
      tokens: 2,
      denied: 0,
    },
  ],
  truncated: false,
};
