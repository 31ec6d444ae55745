import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Prisma } from '#libs/persistence';

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

/** The person's tags (created on first use), in the caller's transaction. */
export async function personTags(
  tx: Tx,
  originatorId: string,
  subjectRefs: Iterable<string>,
): Promise<Map<string, string>> {
  const refs = [...new Set(subjectRefs)];
  const out = new Map<string, string>();
  if (refs.length === 0) return out;
  const rows = await tx.auditPersonKey.findMany({
    where: { originatorId, subjectRef: { in: refs } },
    select: { subjectRef: true, tag: true },
  });
  for (const r of rows) out.set(r.subjectRef, r.tag);
  const created = refs
    .filter((ref) => !out.has(ref))
    .map((subjectRef) => {
      const key = randomBytes(32);
      const tag = tagOf(key, originatorId, subjectRef);
      out.set(subjectRef, tag);
      return { id: randomUUID(), originatorId, subjectRef, key: new Uint8Array(key), tag };
    });
  if (created.length > 0) {
    // Two writers racing for one person: the first key wins and the loser reads it back.
    await tx.auditPersonKey.createMany({ data: created, skipDuplicates: true });
    const stored = await tx.auditPersonKey.findMany({
      where: { originatorId, subjectRef: { in: created.map((c) => c.subjectRef) } },
      select: { subjectRef: true, tag: true },
    });
    for (const r of stored) out.set(r.subjectRef, r.tag);
  }
  return out;
}

export async function personTag(tx: Tx, originatorId: string, subjectRef: string): Promise<string> {
  return (await personTags(tx, originatorId, [subjectRef])).get(subjectRef)!;
}

/** Erasure: the key and the mapping go; the tags already on the chain point at no one from now on. */
export async function forgetPerson(tx: Tx, originatorId: string, subjectRef: string): Promise<number> {
  const { count } = await tx.auditPersonKey.deleteMany({ where: { originatorId, subjectRef } });
  return count;
}
