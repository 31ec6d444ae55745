import type { PrismaClient } from '@renkei/persistence';
import { collectedGauge } from '@renkei/platform';

/**
 * Clearing's gauges, read from its tables when Prometheus scrapes (each cached 5 s, so one query per
 * interval however often it is scraped). Every replica reports the same figures: they are the database's.
 *
 * - `renkei_grants{state}`: grants by state. The states are the grant machine's (a fixed set); no dataset,
 *   originator or consumer label, which would grow with the consortium.
 * - `renkei_audit_chain_length`: the chain's newest sequence number (entries appended so far).
 * - `renkei_audit_checkpoint_age_seconds`: since the newest signed checkpoint (absent before the first);
 *   an alert on it catches a checkpointer that stopped.
 * - `renkei_audit_unchecked_entries`: entries appended after the newest checkpoint.
 */
export function registerClearingMetrics(prisma: PrismaClient): void {
  collectedGauge('renkei_grants', 'Grants by state', ['state'], async () => {
    const rows = await prisma.$queryRawUnsafe<{ state: string; n: number }[]>(
      'SELECT state, count(*)::int AS n FROM clearing.grants GROUP BY state',
    );
    return rows.map((r) => ({ labels: { state: r.state }, value: r.n }));
  });
  // One query for the three chain gauges of a scrape.
  let read:
    | { at: number; value: Promise<{ head: string | null; checkpoint: string | null; age: number | null }> }
    | undefined;
  const chain = () => {
    if (!read || Date.now() - read.at > 1_000) read = { at: Date.now(), value: chainNow() };
    return read.value;
  };
  const chainNow = async () => {
    const [row] = await prisma.$queryRawUnsafe<
      { head: string | null; checkpoint: string | null; age: number | null }[]
    >(
      `SELECT (SELECT max(seq) FROM clearing.audit_log)::text AS head,
              (SELECT max(seq) FROM clearing.audit_checkpoints)::text AS checkpoint,
              (SELECT extract(epoch FROM now() - max(created_at)) FROM clearing.audit_checkpoints)::float8 AS age`,
    );
    return row ?? { head: null, checkpoint: null, age: null };
  };
  collectedGauge('renkei_audit_chain_length', 'Entries on the audit chain', [], async () => [
    { labels: {}, value: Number((await chain()).head ?? 0) },
  ]);
  collectedGauge(
    'renkei_audit_checkpoint_age_seconds',
    'Seconds since the newest signed audit checkpoint',
    [],
    async () => {
      const { age } = await chain();
      return age === null ? [] : [{ labels: {}, value: age }];
    },
  );
  collectedGauge(
    'renkei_audit_unchecked_entries',
    'Audit entries appended after the newest checkpoint',
    [],
    async () => {
      const { head, checkpoint } = await chain();
      return [{ labels: {}, value: Math.max(0, Number(head ?? 0) - Number(checkpoint ?? 0)) }];
    },
  );
}
