/** Usage rows, from the series endpoint or (where it is absent) counted here from the usage entries. */
import type { UsageItem, UsageSeriesRow } from './types';

export type Metric = 'events' | 'deliveries' | 'tokens' | 'denied';
export const metrics: Metric[] = ['events', 'deliveries', 'tokens', 'denied'];

/** The start of an item's bucket, in UTC, as the series endpoint counts it. */
export function bucketOf(at: string, bucket: 'hour' | 'day'): string {
  const d = new Date(at);
  if (bucket === 'day') d.setUTCHours(0, 0, 0, 0);
  else d.setUTCMinutes(0, 0, 0);
  return d.toISOString();
}

/** The series rows the usage entries add up to. */
export function rowsFromItems(items: UsageItem[], bucket: 'hour' | 'day'): UsageSeriesRow[] {
  const rows = new Map<string, UsageSeriesRow>();
  for (const item of items) {
    const b = bucketOf(item.at, bucket);
    const key = JSON.stringify([b, item.dataset, item.consumer, item.purpose]);
    const row = rows.get(key) ?? {
      bucket: b,
      dataset: item.dataset ?? '',
      consumer: item.consumer,
      purpose: item.purpose,
      deliveries: 0,
      events: 0,
      tokens: 0,
      denied: 0,
    };
    if (item.action === 'deliver' && item.allow) {
      row.deliveries += 1;
      row.events += item.events ?? 0;
    }
    if (item.action === 'token.issued') row.tokens += 1;
    if (item.allow === false) row.denied += 1;
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => a.bucket.localeCompare(b.bucket));
}

/** Every bucket start from `from` up to `to`, so quiet hours show as zero rather than vanish. */
export function bucketsBetween(from: Date, to: Date, bucket: 'hour' | 'day'): string[] {
  const step = bucket === 'day' ? 86_400_000 : 3_600_000;
  const out: string[] = [];
  for (let t = new Date(bucketOf(from.toISOString(), bucket)).getTime(); t < to.getTime(); t += step)
    out.push(new Date(t).toISOString());
  return out.slice(-400);
}

/** Totals of a metric per key (consumer or purpose), largest first. */
export function totalsBy(
  rows: UsageSeriesRow[],
  key: (r: UsageSeriesRow) => string,
): { key: string; events: number; deliveries: number; tokens: number; denied: number }[] {
  const out = new Map<
    string,
    { key: string; events: number; deliveries: number; tokens: number; denied: number }
  >();
  for (const r of rows) {
    const k = key(r);
    const t = out.get(k) ?? { key: k, events: 0, deliveries: 0, tokens: 0, denied: 0 };
    t.events += r.events;
    t.deliveries += r.deliveries;
    t.tokens += r.tokens;
    t.denied += r.denied;
    out.set(k, t);
  }
  return [...out.values()].sort((a, b) => b.events - a.events || b.deliveries - a.deliveries);
}
