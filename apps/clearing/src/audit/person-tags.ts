import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Prisma } from '@renkei/persistence';

type Tx = Prisma.TransactionClient;

/**
 * Person references never go on the audit chain in clear: each becomes a tag, an HMAC-SHA-256 of the
 * reference under a key of its own for that person and originator, held by clearing. While the key exists
 * the originator (and only it) can look a tag up; erasing the person deletes the key and the mapping, so
 * the chain still verifies (entries are untouched) but nobody can tell whom the tag stood for, nor compute
 * it again. One key per person, so erasing one person unlinks nobody else.
 */
export function tagOf(key: Uint8Array, originatorId: string, subjectRef: string): string {
  return (
    'pr_' +
    createHmac('sha256', key).update(`${originatorId}\n${subjectRef}`).digest('base64url').slice(0, 32)
  );
}

/**
 * A value about the person that could name them (e.g. a FHIR Consent id such as `consent-pt-1`), keyed
 * under the same person key: stable while the key exists, unlinkable once it is gone.
 */
export function valueTagOf(key: Uint8Array, value: string): string {
  return 'pv_' + createHmac('sha256', key).update(`value\n${value}`).digest('base64url').slice(0, 32);
}

export interface PersonTag {
  tag: string;
  /** Tags another value about this person under the person's key (valueTagOf). */
  value(v: string): string;
}

/** The persons' tags (keys created on first use), in the caller's transaction. */
export async function personTags(
  tx: Tx,
  originatorId: string,
  subjectRefs: Iterable<string>,
): Promise<Map<string, PersonTag>> {
  const refs = [...new Set(subjectRefs)];
  const out = new Map<string, PersonTag>();
  if (refs.length === 0) return out;
  const of = (r: { tag: string; key: Uint8Array }): PersonTag => ({
    tag: r.tag,
    value: (v) => valueTagOf(r.key, v),
  });
  const rows = await tx.auditPersonKey.findMany({
    where: { originatorId, subjectRef: { in: refs } },
    select: { subjectRef: true, tag: true, key: true },
  });
  for (const r of rows) out.set(r.subjectRef, of(r));
  const created = refs
    .filter((ref) => !out.has(ref))
    .map((subjectRef) => {
      const key = new Uint8Array(randomBytes(32));
      return { id: randomUUID(), originatorId, subjectRef, key, tag: tagOf(key, originatorId, subjectRef) };
    });
  if (created.length > 0) {
    // Two writers racing for one person: the first key wins and the loser reads it back.
    await tx.auditPersonKey.createMany({ data: created, skipDuplicates: true });
    const stored = await tx.auditPersonKey.findMany({
      where: { originatorId, subjectRef: { in: created.map((c) => c.subjectRef) } },
      select: { subjectRef: true, tag: true, key: true },
    });
    for (const r of stored) out.set(r.subjectRef, of(r));
  }
  return out;
}

/** Erasure: the key and the mapping go; the tags already on the chain point at no one from now on. */
export async function forgetPerson(tx: Tx, originatorId: string, subjectRef: string): Promise<number> {
  const { count } = await tx.auditPersonKey.deleteMany({ where: { originatorId, subjectRef } });
  return count;
}
