import { randomUUID } from 'node:crypto';
import { type KekRing, newDataKey } from '@renkei/crypto';
import type { PlatformEvent } from '@renkei/domain';
import type { Prisma, PrismaClient } from '@renkei/persistence';
import { appendAudit } from '../audit/audit-log.js';
import { emitClearingEvent } from '../core/clearing-events.js';
import { personTags } from '../audit/person-tags.js';

type Tx = Prisma.TransactionClient;

export interface ReleasedKey {
  kid: string;
  /** base64url of the 32-byte AES key */
  key: string;
}

/**
 * Data keys for crypto-shredding: one per originator and dataset, and one per person for health data.
 * Keys live wrapped with the key-encryption key; destroying a key wipes its wrapped bytes for good, so
 * whatever it protected — including every copy on Kafka — can no longer be read by anyone.
 */
export class DataKeyStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly keks: KekRing,
  ) {}

  /** The live key for encrypting (created on first use; after destruction a new key takes over). */
  async keyFor(originatorId: string, dataset: string, subjectRef: string | null): Promise<ReleasedKey> {
    const live = await this.prisma.dataKey.findFirst({
      where: { originatorId, dataset, subjectRef, destroyedAt: null },
      orderBy: { createdAt: 'desc' },
    });
    if (live?.wrapped) return { kid: live.id, key: this.unwrap(live) };
    const id = randomUUID();
    const key = newDataKey();
    // Two exchanges asking at once may each create one; both stay valid, the newest is used from then on.
    await this.prisma.dataKey.create({
      data: { id, originatorId, dataset, subjectRef, ...this.wrap(key, id) },
    });
    return { kid: id, key: key.toString('base64url') };
  }

  /**
   * keyFor for many persons at once: one query reads every live key, and only the persons without one
   * get a new key (written together).
   */
  async keysFor(
    originatorId: string,
    dataset: string,
    subjectRefs: string[],
  ): Promise<Record<string, ReleasedKey>> {
    const out: Record<string, ReleasedKey> = {};
    if (subjectRefs.length === 0) return out;
    const rows = await this.prisma.dataKey.findMany({
      where: { originatorId, dataset, subjectRef: { in: subjectRefs }, destroyedAt: null },
      orderBy: { createdAt: 'desc' },
    });
    for (const row of rows) {
      // Newest first: the first live key of a person is the one keyFor would use.
      if (row.subjectRef === null || !row.wrapped || out[row.subjectRef]) continue;
      out[row.subjectRef] = { kid: row.id, key: this.unwrap(row) };
    }
    const created = subjectRefs
      .filter((ref) => !out[ref])
      .map((subjectRef) => {
        const id = randomUUID();
        const key = newDataKey();
        out[subjectRef] = { kid: id, key: key.toString('base64url') };
        return { id, originatorId, dataset, subjectRef, ...this.wrap(key, id) };
      });
    // As in keyFor, two exchanges asking at once may each create one; the newest is used from then on.
    if (created.length > 0) await this.prisma.dataKey.createMany({ data: created });
    return out;
  }

  /** The keys with these ids, if they belong to the dataset and still exist; destroyed ones are listed. */
  async release(dataset: string, kids: string[]): Promise<{ keys: ReleasedKey[]; destroyed: string[] }> {
    const rows = await this.prisma.dataKey.findMany({ where: { id: { in: kids }, dataset } });
    const keys: ReleasedKey[] = [];
    const destroyed: string[] = [];
    for (const row of rows) {
      if (row.wrapped && !row.destroyedAt) keys.push({ kid: row.id, key: this.unwrap(row) });
      else destroyed.push(row.id);
    }
    return { keys, destroyed };
  }

  /**
   * Destroys every live key of the originator's dataset (subjectRef undefined), or of one person in it or
   * in all its datasets (dataset '*'). Writes the destruction to the audit chain and announces each key
   * on the clearing topic, so the exchange drops it from memory at once.
   */
  async destroy(
    tx: Tx,
    originatorId: string,
    scope: { dataset: string; subjectRef?: string | null },
    actorId: string,
    reason: string,
    at: Date,
  ): Promise<string[]> {
    const rows = await tx.dataKey.findMany({
      where: {
        originatorId,
        destroyedAt: null,
        ...(scope.dataset === '*' ? {} : { dataset: scope.dataset }),
        ...(scope.subjectRef === undefined ? {} : { subjectRef: scope.subjectRef }),
      },
      select: { id: true, dataset: true, subjectRef: true },
    });
    if (rows.length === 0) return [];
    await tx.dataKey.updateMany({
      where: { id: { in: rows.map((r) => r.id) } },
      data: { wrapped: null, kekId: null, destroyedAt: at, destroyedBy: actorId, reason },
    });
    for (const row of rows) {
      const event: PlatformEvent = {
        type: 'data-key.destroyed',
        kid: row.id,
        originator: originatorId,
        dataset: row.dataset,
        subjectRef: row.subjectRef,
      };
      await emitClearingEvent(tx, event, row.dataset, at, actorId);
    }
    // Persons are named on the chain only by their keyed tag (audit/person-tags.ts).
    const tags = await personTags(
      tx,
      originatorId,
      rows.flatMap((r) => (r.subjectRef === null ? [] : [r.subjectRef])),
    );
    await appendAudit(
      tx,
      rows.map((row) => ({
        kind: 'key.destroyed' as const,
        at,
        actorId,
        dataset: row.dataset,
        grantId: null,
        allow: null,
        payload: {
          kid: row.id,
          subjectTag: row.subjectRef === null ? null : tags.get(row.subjectRef)!.tag,
          reason,
        },
      })),
    );
    return rows.map((r) => r.id);
  }

  /** Wrapped under the current KEK, with its id (ADR 0037). */
  private wrap(key: Buffer, id: string): { wrapped: Uint8Array<ArrayBuffer>; kekId: string } {
    const { kekId, wrapped } = this.keks.wrap(key, id);
    return { wrapped: new Uint8Array(wrapped), kekId };
  }

  /** Opened with the KEK the row names (a row from before KEK ids: whichever configured KEK fits). */
  private unwrap(row: { id: string; wrapped: Uint8Array | null; kekId: string | null }): string {
    return this.keks.unwrap(row.kekId, Buffer.from(row.wrapped!), row.id).toString('base64url');
  }
}
