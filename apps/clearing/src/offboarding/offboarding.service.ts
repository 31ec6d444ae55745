import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, PlatformProjection, notFound, type Clock } from '@renkei/domain';
import { OutboxRelay } from '@renkei/kafka';
import { PrismaClient } from '@renkei/persistence';
import { syncFor, type ProjectionSync } from '@renkei/policy';
import { PROJECTION_SYNC } from '../core/clearing-core.module.js';
import { DAY_MS, SYSTEM_ACTOR } from '../deletion/obligations.js';
import type { GrantRow } from '../grants/grant-view.js';
import { GrantsService } from '../grants/grants.service.js';
import { IMPACT_LIST_MAX, LiveGrantStates, type OffboardingImpact } from './offboarding.dto.js';

/** The reason every grant revoked by offboarding carries. */
export const OFFBOARDED_REASON = 'participant offboarded';

const live = { in: [...LiveGrantStates] };
/** States in which the consumer may hold data: revoking them opens a deletion obligation. */
const held = new Set(['granted', 'suspended']);

/**
 * Offboarding, clearing's part: the registry owns the participant and its status; clearing owns the
 * grants. It previews what offboarding would do to them, and revokes them when the registry's event says
 * the participant is offboarded.
 */
@Injectable()
export class OffboardingService {
  constructor(
    @Inject(PrismaClient) private readonly prisma: PrismaClient,
    @Inject(OutboxRelay) private readonly outbox: OutboxRelay,
    @Inject(PlatformProjection) private readonly state: PlatformProjection,
    @Inject(PROJECTION_SYNC) private readonly sync: ProjectionSync,
    @Inject(GrantsService) private readonly grants: GrantsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** What offboarding the participant now would do to the grants it is party to (404 if unknown). */
  async impact(id: string): Promise<OffboardingImpact> {
    // A participant onboarded a moment ago may not be in the projection yet.
    await syncFor(this.sync, () => this.state.participants.has(id));
    const participant = this.state.participants.get(id);
    if (!participant) {
      throw notFound(
        'PARTICIPANT.NOT_FOUND',
        `No participant ${id}`,
        'List participants with GET /participants',
      );
    }
    const now = this.clock.now();
    const side = (where: { originatorId: string } | { consumerId: string }) =>
      this.prisma.grant.findMany({
        where: { ...where, state: live },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: IMPACT_LIST_MAX + 1,
      });
    const [asOriginator, asConsumer, byState, obligations] = await Promise.all([
      side({ originatorId: id }),
      side({ consumerId: id }),
      this.prisma.grant.groupBy({
        by: ['state', 'originatorId'],
        where: { state: live, OR: [{ originatorId: id }, { consumerId: id }] },
        _count: { _all: true },
      }),
      this.prisma.grant.findMany({
        where: { state: { in: [...held] }, OR: [{ originatorId: id }, { consumerId: id }] },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: IMPACT_LIST_MAX * 2,
      }),
    ]);
    const count = (pick: (g: (typeof byState)[number]) => boolean) =>
      byState.filter(pick).reduce((n, g) => n + g._count._all, 0);
    const row = (g: GrantRow, counterpart: string) => ({
      id: g.id,
      dataset: g.dataset,
      counterpart,
      state: g.state as (typeof LiveGrantStates)[number],
      purpose: g.purpose,
    });
    const total = {
      asOriginator: count((g) => g.originatorId === id),
      asConsumer: count((g) => g.originatorId !== id),
    };
    return {
      participant: { id, legalName: participant.legalName, status: participant.status },
      asOriginator: asOriginator.slice(0, IMPACT_LIST_MAX).map((g) => row(g, g.consumerId)),
      asConsumer: asConsumer.slice(0, IMPACT_LIST_MAX).map((g) => row(g, g.originatorId)),
      deletionObligations: obligations.map((g) => ({
        grantId: g.id,
        dataset: g.dataset,
        consumer: g.consumerId,
        originator: g.originatorId,
        deletionDays: g.deletionDays,
        dueAt: new Date(now.getTime() + g.deletionDays * DAY_MS).toISOString(),
      })),
      counts: {
        ...total,
        requested: count((g) => g.state === 'requested'),
        granted: count((g) => g.state === 'granted'),
        suspended: count((g) => g.state === 'suspended'),
        deletionObligations: count((g) => held.has(g.state)),
      },
      truncated: asOriginator.length > IMPACT_LIST_MAX || asConsumer.length > IMPACT_LIST_MAX,
    };
  }

  /**
   * Revokes every live grant the offboarded participant is party to, each through the grants' guarded
   * transition (transition record, `grant.changed` event, audit entry and the consumer's deletion
   * obligation commit together), then sends the events. Idempotent: a grant already ended is left alone,
   * so a replayed event, or two replicas reading it, revoke each grant once.
   */
  async revokeAll(participantId: string, actorId: string | undefined): Promise<number> {
    const actor = actorId ?? SYSTEM_ACTOR;
    let revoked = 0;
    for (;;) {
      const batch = await this.prisma.grant.findMany({
        where: { state: live, OR: [{ originatorId: participantId }, { consumerId: participantId }] },
        orderBy: { id: 'asc' },
        select: { id: true },
        take: 100,
      });
      if (batch.length === 0) break;
      const now = this.clock.now();
      await this.prisma.$transaction(
        async (tx) => {
          for (const { id } of batch) {
            // Row lock, then a fresh read: a grant another replica or a party just ended is skipped.
            await tx.$executeRaw`SELECT 1 FROM clearing.grants WHERE id = ${id}::uuid FOR UPDATE`;
            const grant = await tx.grant.findUnique({ where: { id } });
            if (!grant || !(LiveGrantStates as readonly string[]).includes(grant.state)) continue;
            await this.grants.transition(tx, grant, 'revoked', actor, OFFBOARDED_REASON, now);
            revoked++;
          }
        },
        { timeout: 30_000, maxWait: 10_000 },
      );
    }
    if (revoked > 0) {
      await this.outbox.flush();
    }
    return revoked;
  }
}
