import { type KekRing, UnknownKekError } from '@renkei/crypto';
import { Prisma, type PrismaClient } from '@renkei/persistence';
import { appendAudit } from '../audit/audit-log.js';
import { signingKeyWrapContext } from '../keys/signing-key-manager.js';

/** Where a KEK rotation stands after each batch (and at the end). */
export interface KekRotationProgress {
  /** The KEK everything is being moved to. */
  kek: string;
  /** Re-wrapped by this run so far. */
  dataKeys: number;
  signingKeys: number;
  /** Rows still under another KEK (or none recorded), counted after the batch; includes `unreadable`. */
  remaining: number;
  /** Rows no configured KEK opens (their KEK is not in KEY_ENCRYPTION_KEY_PREVIOUS): left as they are. */
  unreadable: { table: 'data_keys' | 'signing_keys'; id: string; kek: string | null }[];
}

export interface KekRotationOptions {
  /** Rows per transaction (each batch locks only its own rows). */
  batchSize?: number;
  /** Who ran it, for the audit record. */
  actorId?: string;
  onProgress?: (progress: KekRotationProgress) => void;
}

type Table = 'data_keys' | 'signing_keys';
interface WrappedRow {
  id: string;
  wrapped: Uint8Array;
  kek_id: string | null;
}

/**
 * Re-wraps every data key and signing key under the current KEK (ADR 0037), in bounded batches, each its own
 * transaction: `FOR UPDATE SKIP LOCKED` takes rows no one else holds, so two runs (or a run and two clearing
 * replicas) never fight over a row, and a row being destroyed meanwhile is either re-wrapped first and then
 * wiped, or skipped because it is already wiped. Rows held by someone else are skipped first and taken
 * at the end, after waiting for their locks. Only rows not yet under the current KEK are read, so a run
 * that was interrupted resumes where it stopped and a second run changes nothing (idempotent). Destroyed data
 * keys (wrapped bytes wiped) and retired signing keys (private part wiped) have nothing to re-wrap and stay so.
 *
 * The run ends with one `kek.rotated` audit record: the KEK, what moved, what is left.
 */
export async function rotateKek(
  prisma: PrismaClient,
  keks: KekRing,
  options: KekRotationOptions = {},
): Promise<KekRotationProgress> {
  const batchSize = options.batchSize ?? 500;
  const progress: KekRotationProgress = {
    kek: keks.current.id,
    dataKeys: 0,
    signingKeys: 0,
    remaining: 0,
    unreadable: [],
  };
  for (const table of ['data_keys', 'signing_keys'] as const) {
    const skip: string[] = [];
    // First the rows no one else holds; then, waiting for their locks, the rows another run (or a key
    // destruction) held meanwhile: once it commits they no longer match, or they are still to do.
    for (const wait of [false, true]) {
      for (;;) {
        const taken = await rewrapBatch(prisma, keks, table, batchSize, skip, progress, wait);
        if (taken === 0) break;
        progress.remaining = await remaining(prisma, keks);
        options.onProgress?.(structuredClone(progress));
      }
    }
  }
  progress.remaining = await remaining(prisma, keks);
  options.onProgress?.(structuredClone(progress));
  await prisma.$transaction(async (tx) => {
    await appendAudit(tx, [
      {
        kind: 'kek.rotated',
        at: new Date(),
        actorId: options.actorId ?? 'renkei-kek-rotate',
        dataset: null,
        grantId: null,
        allow: null,
        payload: {
          kek: progress.kek,
          dataKeys: progress.dataKeys,
          signingKeys: progress.signingKeys,
          remaining: progress.remaining,
          unreadable: progress.unreadable.length,
        },
      },
    ]);
  });
  return progress;
}

/** One transaction: up to `limit` rows still under another KEK, locked, re-wrapped, written back. */
async function rewrapBatch(
  prisma: PrismaClient,
  keks: KekRing,
  table: Table,
  limit: number,
  skip: string[],
  progress: KekRotationProgress,
  wait: boolean,
): Promise<number> {
  const lock = wait ? Prisma.sql`FOR UPDATE` : Prisma.sql`FOR UPDATE SKIP LOCKED`;
  return prisma.$transaction(
    async (tx) => {
      const rows =
        table === 'data_keys'
          ? await tx.$queryRaw<WrappedRow[]>`
              SELECT id::text AS id, wrapped, kek_id FROM clearing.data_keys
              WHERE wrapped IS NOT NULL AND kek_id IS DISTINCT FROM ${keks.current.id}
                AND NOT (id::text = ANY(${skip}::text[]))
              ORDER BY id LIMIT ${limit} ${lock}`
          : await tx.$queryRaw<WrappedRow[]>`
              SELECT kid AS id, wrapped, kek_id FROM clearing.signing_keys
              WHERE length(wrapped) > 0 AND kek_id IS DISTINCT FROM ${keks.current.id}
                AND NOT (kid = ANY(${skip}::text[]))
              ORDER BY kid LIMIT ${limit} ${lock}`;
      let moved = 0;
      for (const row of rows) {
        const context = table === 'data_keys' ? row.id : signingKeyWrapContext(row.id);
        let next: { kekId: string; wrapped: Buffer };
        try {
          next = keks.rewrap(row.kek_id, Buffer.from(row.wrapped), context);
        } catch (error) {
          if (!(error instanceof UnknownKekError)) throw error;
          skip.push(row.id);
          progress.unreadable.push({ table, id: row.id, kek: row.kek_id });
          continue;
        }
        const wrapped = new Uint8Array(next.wrapped);
        if (table === 'data_keys')
          await tx.dataKey.update({ where: { id: row.id }, data: { wrapped, kekId: next.kekId } });
        else await tx.signingKey.update({ where: { kid: row.id }, data: { wrapped, kekId: next.kekId } });
        moved++;
      }
      if (table === 'data_keys') progress.dataKeys += moved;
      else progress.signingKeys += moved;
      // A batch of only unreadable rows moved nothing but must not end the run while others remain.
      return rows.length;
    },
    { timeout: 60_000 },
  );
}

/** Rows that still need the rotation (not under the current KEK, with something left to unwrap). */
async function remaining(prisma: PrismaClient, keks: KekRing): Promise<number> {
  const [row] = await prisma.$queryRaw<{ n: bigint }[]>`
    SELECT (SELECT count(*) FROM clearing.data_keys
              WHERE wrapped IS NOT NULL AND kek_id IS DISTINCT FROM ${keks.current.id})
         + (SELECT count(*) FROM clearing.signing_keys
              WHERE length(wrapped) > 0 AND kek_id IS DISTINCT FROM ${keks.current.id}) AS n`;
  return Number(row?.n ?? 0n);
}
