import type { PlatformProjection } from '@renkei/domain';
import type { PrismaClient } from '@renkei/persistence';

/**
 * For a derived dataset: which of its inputs the participant may see — it owns the input, or holds a live
 * grant on it (granted, started, not ended). Clearing answers from its own database, where grants live;
 * the other services answer from their projections (lineageVisibility). Undefined when not derived.
 */
export async function inputVisibility(
  prisma: Pick<PrismaClient, 'grant'>,
  state: PlatformProjection,
  participantId: string,
  dataset: string,
  now: Date,
): Promise<Record<string, boolean> | undefined> {
  const lineage = state.currentContract(dataset)?.lineage;
  if (!lineage || lineage.length === 0) return undefined;
  const datasets = lineage.map((l) => l.dataset);
  const live = await prisma.grant.findMany({
    where: {
      consumerId: participantId,
      dataset: { in: datasets },
      state: 'granted',
      validFrom: { lte: now },
      OR: [{ validUntil: null }, { validUntil: { gt: now } }],
    },
    select: { dataset: true },
  });
  const granted = new Set(live.map((g) => g.dataset));
  return Object.fromEntries(
    datasets.map((d) => [d, granted.has(d) || state.currentContract(d)?.owner === participantId]),
  );
}
