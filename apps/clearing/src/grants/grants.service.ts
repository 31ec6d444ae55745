import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  CLOCK,
  DomainError,
  HISTORY_ALL,
  assertTransition,
  notFound,
  type Clock,
  type GrantState,
  type GrantView,
  type PlatformEvent,
} from '#libs/domain';
import { concealing } from '#libs/domain';
import type { Principal } from '#libs/auth';
import type { OutboxRelay } from '#libs/kafka';
import { Prisma, type PrismaClient } from '#libs/persistence';
import { buildPolicyInput, decisionRecord, denied, type PolicyAction, type PolicyEngine } from '#libs/policy';
import { appendAudit, decisionEntry } from '../audit/audit-log.js';
import { emitClearingEvent } from '../clearing-events.js';
import { openDeletionObligation } from '../deletion/obligations.js';
import { inputVisibility } from './input-grants.js';
import { OUTBOX, POLICY, PRISMA, STATE, SYNC } from '../clearing.tokens.js';
import type { PlatformProjection, ProjectionSync } from '../clearing.context.js';
import type { GrantDto, ListGrants, RequestGrant } from './grants.dto.js';

/** Requests one consumer may have waiting for originators at once (see assertRequestsBounded). */
export const MAX_PENDING_REQUESTS = 50;

export type GrantRow = Awaited<ReturnType<PrismaClient['grant']['findUniqueOrThrow']>>;

export function toView(g: GrantRow): GrantView {
  return {
    id: g.id,
    state: g.state as GrantState,
    originator: g.originatorId,
    consumer: g.consumerId,
    dataset: g.dataset,
    purpose: g.purpose,
    fields: (g.fields as string[] | null) ?? null,
    validFrom: g.validFrom.toISOString(),
    validUntil: g.validUntil?.toISOString() ?? null,
    deletionDays: g.deletionDays,
    onwardTransfer: g.onwardTransfer,
    historyFrom: historyOf(g.historyFrom),
    changedAt: g.updatedAt.toISOString(),
  };
}

/** Epoch 0 in the database is the term 'all'. */
const historyOf = (at: Date | null): string | null =>
  at === null ? null : at.getTime() === 0 ? HISTORY_ALL : at.toISOString();
const historyAt = (term: string): Date => (term === HISTORY_ALL ? new Date(0) : new Date(term));

function toDto(g: GrantRow): GrantDto {
  const { changedAt: _c, ...view } = toView(g);
  return {
    ...view,
    onwardTransfer: g.onwardTransfer,
    deletionDays: g.deletionDays,
    historyFrom: historyOf(g.historyFrom),
    historyRequested: g.historyRequested,
    createdAt: g.createdAt.toISOString(),
    updatedAt: g.updatedAt.toISOString(),
  };
}

/** Who may move a grant to which state. */
const movers: Record<'granted' | 'rejected' | 'revoked' | 'suspended' | 'resumed', 'originator' | 'either'> =
  {
    granted: 'originator',
    rejected: 'originator',
    suspended: 'originator',
    resumed: 'originator',
    revoked: 'either',
  };

@Injectable()
export class GrantsService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(OUTBOX) private readonly outbox: OutboxRelay,
    @Inject(STATE) private readonly state: PlatformProjection,
    @Inject(SYNC) private readonly sync: ProjectionSync,
    @Inject(POLICY) private readonly policy: PolicyEngine,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** A consumer asks the originator for access; the policy decides whether the request may even be made. */
  async request(actor: Principal, input: RequestGrant): Promise<GrantDto> {
    const contract = await this.currentContract(input.dataset);
    if (!contract)
      throw notFound(
        'CONTRACT.NOT_FOUND',
        `No active contract for dataset '${input.dataset}'`,
        'List datasets with GET /catalog on the registry',
      );
    const now = this.clock.now();
    const decision = this.decide(
      'grant.request',
      actor.participantId,
      input.dataset,
      null,
      input.purpose,
      now,
      await inputVisibility(this.prisma, this.state, actor.participantId, input.dataset, now),
    );
    const id = randomUUID();
    const row = await this.prisma.$transaction(async (tx) => {
      await this.assertRequestsBounded(tx, actor.participantId, input);
      await appendAudit(tx, [decisionEntry(decision.record)]);
      if (!decision.result.allow) return null;
      const created = await tx.grant.create({
        data: {
          id,
          originatorId: contract.owner,
          consumerId: actor.participantId,
          dataset: input.dataset,
          purpose: input.purpose,
          fields: input.fields ?? Prisma.DbNull,
          state: 'requested',
          validFrom: now,
          validUntil: input.validUntil ? new Date(input.validUntil) : null,
          onwardTransfer: input.onwardTransfer,
          deletionDays: input.deletionDays,
          historyRequested: input.historyFrom,
        },
      });
      await this.recordTransition(tx, created, null, actor.participantId, null, now);
      return created;
    });
    if (!row) throw denied(decision.result, 'The access request');
    await this.outbox.flush();
    return toDto(row);
  }

  /**
   * A consumer's requests wait in originators' inboxes: the same dataset and purpose is asked for once at a
   * time, and no consumer has more than MAX_PENDING_REQUESTS waiting, so repeated or scripted calls cannot
   * flood an originator. Serialised per consumer (advisory lock) so concurrent calls cannot both pass.
   */
  private async assertRequestsBounded(tx: Prisma.TransactionClient, consumerId: string, input: RequestGrant) {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('grant-requests'), hashtext(${consumerId}))`;
    const pending = await tx.grant.findMany({
      where: { consumerId, state: 'requested' },
      select: { id: true, dataset: true, purpose: true },
    });
    const same = pending.find((g) => g.dataset === input.dataset && g.purpose === input.purpose);
    if (same) {
      throw new DomainError(
        'GRANT.ALREADY_REQUESTED',
        'conflict',
        `Your request ${same.id} for '${input.dataset}' (purpose '${input.purpose}') is still waiting for the originator`,
        {
          details: [{ path: '/dataset', message: `pending request ${same.id}`, grant: same.id }],
          hint: `Wait for the answer (GET /grants/${same.id}), or withdraw it with POST /grants/${same.id}/revoke and ask again`,
        },
      );
    }
    if (pending.length >= MAX_PENDING_REQUESTS) {
      throw new DomainError(
        'GRANT.TOO_MANY_PENDING',
        'conflict',
        `You have ${pending.length} requests waiting for originators; at most ${MAX_PENDING_REQUESTS} may wait at once`,
        {
          details: [{ path: '', message: `${pending.length} pending requests` }],
          hint: 'Wait for answers, or withdraw requests you no longer need (POST /grants/{id}/revoke)',
        },
      );
    }
  }

  /**
   * The originator approves, and decides how much of the past the grant covers: what it says here, else
   * what the consumer asked for (shown in the request), else only what is published from now on.
   */
  approve(actor: Principal, id: string, reason: string | null, historyFrom?: string) {
    return this.move(actor, id, 'granted', reason, 'grant.approve', 'granted', historyFrom);
  }
  reject(actor: Principal, id: string, reason: string | null) {
    return this.move(actor, id, 'rejected', reason);
  }
  revoke(actor: Principal, id: string, reason: string | null) {
    return this.move(actor, id, 'revoked', reason);
  }
  suspend(actor: Principal, id: string, reason: string | null) {
    return this.move(actor, id, 'suspended', reason);
  }
  resume(actor: Principal, id: string, reason: string | null) {
    return this.move(actor, id, 'granted', reason, undefined, 'resumed');
  }

  async get(actor: Principal, id: string): Promise<GrantDto> {
    return toDto(await this.visible(this.prisma, actor, id));
  }

  /** Only the two parties to a grant ever see it. */
  async list(actor: Principal, query: ListGrants): Promise<GrantDto[]> {
    const me = actor.participantId;
    const party =
      query.role === 'originator'
        ? { originatorId: me }
        : query.role === 'consumer'
          ? { consumerId: me }
          : { OR: [{ originatorId: me }, { consumerId: me }] };
    const rows = await this.prisma.grant.findMany({
      where: {
        AND: [
          party,
          query.state ? { state: query.state } : {},
          query.dataset ? { dataset: query.dataset } : {},
        ],
      },
      orderBy: { createdAt: 'desc' },
      take: 500,
    });
    return rows.map(toDto);
  }

  private async move(
    actor: Principal,
    id: string,
    to: GrantState,
    reason: string | null,
    policyAction?: PolicyAction,
    verb: keyof typeof movers = to as keyof typeof movers,
    historyFrom?: string,
  ): Promise<GrantDto> {
    if (policyAction) await this.sync(250);
    const now = this.clock.now();
    const outcome = await this.prisma.$transaction(async (tx) => {
      // Row lock: concurrent moves of one grant are serialised, and each sees the other's result.
      await tx.$executeRaw`SELECT 1 FROM clearing.grants WHERE id = ${id}::uuid FOR UPDATE`;
      const grant = await this.visible(tx, actor, id);
      const isOriginator = grant.originatorId === actor.participantId;
      if (movers[verb] === 'originator' && !isOriginator) {
        // The consumer trying the originator's move: answered as missing, recorded as a refusal.
        throw concealing(
          notFound('GRANT.NOT_FOUND', `No grant ${id} that you can ${verb === 'granted' ? 'approve' : verb}`),
          { type: 'grant', id },
        );
      }
      assertTransition(grant.state as GrantState, to);
      if (policyAction) {
        const decision = this.decide(
          policyAction,
          actor.participantId,
          grant.dataset,
          toView(grant),
          grant.purpose,
          now,
        );
        await appendAudit(tx, [decisionEntry(decision.record)]);
        if (!decision.result.allow) return { denied: decision.result, updated: null };
      }
      // Approval fixes the history term; a resumed grant keeps the one it was approved with.
      const history =
        verb === 'granted'
          ? { historyFrom: historyAt(historyFrom ?? grant.historyRequested ?? now.toISOString()) }
          : {};
      const updated = await this.transition(tx, grant, to, actor.participantId, reason, now, history);
      return { denied: null, updated };
    });
    if (!outcome.updated) throw denied(outcome.denied, 'Approving this grant');
    // The event is on Kafka before we answer: a revocation is in force for every later delivery.
    await this.outbox.flush();
    return toDto(outcome.updated);
  }

  /**
   * The guarded step of every move, inside the caller's transaction and under its row lock on the grant:
   * the state change, its transition record, outbox event and audit entry, and — when a grant the consumer
   * held ends (revoked or expired) — the consumer's deletion obligation, all committed together.
   * The expiry sweeper moves grants through here too. The caller flushes the outbox after the commit.
   */
  async transition(
    tx: Prisma.TransactionClient,
    grant: GrantRow,
    to: GrantState,
    actorId: string,
    reason: string | null,
    now: Date,
    changes: { historyFrom?: Date } = {},
  ): Promise<GrantRow> {
    assertTransition(grant.state as GrantState, to);
    const updated = await tx.grant.update({
      where: { id: grant.id },
      data: { ...changes, state: to, updatedAt: now },
    });
    await this.recordTransition(tx, updated, grant.state, actorId, reason, now);
    await openDeletionObligation(tx, grant, to, actorId, now);
    return updated;
  }

  /** A contract registered a moment ago may not be in the projection yet: look again after a fresh barrier. */
  private async currentContract(dataset: string) {
    await this.sync(250);
    if (!this.state.currentContract(dataset)) await this.sync(0);
    return this.state.currentContract(dataset);
  }

  private async visible(db: Pick<PrismaClient, 'grant'>, actor: Principal, id: string): Promise<GrantRow> {
    const grant = await db.grant.findUnique({ where: { id } });
    // Someone else's grant is indistinguishable from a missing one.
    if (!grant || (grant.originatorId !== actor.participantId && grant.consumerId !== actor.participantId)) {
      const error = notFound('GRANT.NOT_FOUND', `No grant ${id} that you are a party to`);
      // Same answer either way; only someone else's grant is a refusal for the audit (ADR 0018).
      throw grant ? concealing(error, { type: 'grant', id }) : error;
    }
    return grant;
  }

  private decide(
    action: PolicyAction,
    subjectId: string,
    dataset: string,
    grant: GrantView | null,
    purpose: string | null,
    now: Date,
    consumerInputs?: Record<string, boolean>,
  ) {
    const input = buildPolicyInput(this.state, {
      action,
      subjectId,
      dataset,
      grant,
      purpose,
      now,
      ...(consumerInputs ? { consumerInputs } : {}),
    });
    const result = this.policy.decide(input);
    return { result, record: decisionRecord('clearing', input, result, this.policy.revision) };
  }

  private async recordTransition(
    tx: Prisma.TransactionClient,
    grant: GrantRow,
    from: string | null,
    actorId: string,
    reason: string | null,
    at: Date,
  ) {
    await tx.grantTransition.create({
      data: { grantId: grant.id, fromState: from, toState: grant.state, actorId, reason, at },
    });
    const view = toView(grant);
    const event: PlatformEvent = { type: 'grant.changed', grant: view, actor: actorId, reason };
    await emitClearingEvent(tx, event, grant.id, at);
    await appendAudit(tx, [
      {
        kind: 'grant.changed',
        at,
        actorId,
        dataset: grant.dataset,
        grantId: grant.id,
        allow: null,
        payload: { from, to: grant.state, reason, grant: view },
      },
    ]);
  }
}
