import type { RenkeiClient } from '@renkei/sdk';
import { eventually } from './eventually.js';

/** A security refusal as a compliance officer reads it on the audit chain (ADR 0018). */
export interface RefusalOnRecord {
  category: string;
  status: number;
  code: string;
  route: string;
  participant: string | null;
}

/**
 * The refusals with `code` on the audit chain, once one on `route` (the route template) by `participant`
 * is there (the recorder flushes about once a second).
 */
export async function refusalsOnRecord(
  auditor: RenkeiClient,
  code: string,
  route: string,
  participant: string,
): Promise<RefusalOnRecord[]> {
  const found = await eventually(
    async () => (await auditor.auditEntries({ kind: 'security.refusal', code, limit: '100' })).items,
    (items) =>
      items.some((e) => {
        const r = e.record as unknown as RefusalOnRecord;
        return r.route === route && r.participant === participant;
      }),
    15_000,
    250,
  );
  return found.map((e) => e.record as unknown as RefusalOnRecord);
}
