import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  CLOCK,
  DomainError,
  PlatformProjection,
  assertTransition,
  concealing,
  notFound,
  type Clock,
  type GrantState,
  type PlatformEvent,
} from '@renkei/domain';
import type { Principal } from '@renkei/auth';
import { OutboxRelay } from '@renkei/kafka';
import { Prisma, PrismaClient } from '@renkei/persistence';
import {
  PolicyGate,
  denied,
  syncFor,
  type PolicyAction,
  type PolicyDecision,
  type ProjectionSync,
} from '@renkei/policy';
import { appendAudit, decisionEntry } from '../audit/audit-log.js';
import { emitClearingEvent } from '../core/clearing-events.js';
import { PROJECTION_SYNC } from '../core/clearing-core.module.js';
import { openDeletionObligation } from '../deletion/obligations.js';
import { GrantAccess } from './grant-access.js';
import { GrantTransitionHooks } from './grant-transitions.js';
import { historyAt, toDto, toView, type GrantRow } from './grant-view.js';
import { inputVisibility } from './input-grants.js';
import type { GrantDto, ListGrants, RequestGrant } from './grants.dto.js';
import type { ContractTerms } from '@renkei/domain';

/** Clearing itself, as the actor of what the policy decided for an `approval: policy` contract. */
export const POLICY_APPROVER = 'renkei-clearing';

/** Whether a contract's approvals are decided by the policy alone (contract term `approval: 'policy'`). */
export function approvedByPolicy(terms: ContractTerms | undefined): boolean {
  // Read defensively: the term is added to ContractTerms by the contracts' own change (dsp-docs).
  return terms !== undefined && 'approval' in terms && terms.approval === 'policy';
}

/**
 * Asked first when an originator approves a grant (POST /grants/{id}/approve): a grant negotiated over the
 * Dataspace Protocol is approved by sending the agreement (it goes live on FINALIZED). Null: not such a
 * grant, the ordinary approval applies.
 */
export type GrantApprovalDelegate = (
  actor: Principal,
  id: string,
  reason: string | null,
) => Promise<GrantDto | null>;

/** Requests one consumer may have waiting for originators at once (see assertRequestsBounded). */
export const MAX_PENDING_REQUESTS = 50;

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
  private approvalDelegate: GrantApprovalDelegate | null = null;

  /** Sets who is asked first when an originator approves (see GrantApprovalDelegate). */
  delegateApproval(delegate: GrantApprovalDelegate): void {
    this.approvalDelegate = delegate;
  }

  constructor(
    @Inject(PrismaClient) private readonly prisma: PrismaClient,
    @Inject(OutboxRelay) private readonly outbox: OutboxRelay,
    @Inject(PlatformProjection) private readonly state: PlatformProjection,
    @Inject(PROJECTION_SYNC) private readonly sync: ProjectionSync,
    @Inject(PolicyGate) private readonly gate: PolicyGate,
    @Inject(GrantAccess) private readonly access: GrantAccess,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(GrantTransitionHooks) private readonly hooks: GrantTransitionHooks = new GrantTransitionHooks(),
  ) {}

  /**
   * A consumer asks the originator for access; the policy decides whether the request may even be made. On
   * a contract with `approval: policy` the request is approved at once when the policy allows it (unless
   * `autoApprove` is false: a DSP negotiation approves by its agreement). `within` runs in the request's
   * transaction with the created grant (a DSP negotiation row is written with it).
   */
  async request(
    actor: Pick<Principal, 'participantId'>,
    input: RequestGrant,
    options: {
      autoApprove?: boolean;
      within?: (tx: Prisma.TransactionClient, grant: GrantRow) => Promise<void>;
    } = {},
  ): Promise<GrantDto> {
    // A contract registered a moment ago may not be in the projection yet: look again after a fresh barrier.
    await syncFor(this.sync, () => this.state.currentContract(input.dataset) !== undefined);
    const contract = this.state.currentContract(input.dataset);
    if (!contract)
      throw notFound(
        'CONTRACT.NOT_FOUND',
        `No active contract for dataset '${input.dataset}'`,
        'List datasets with GET /catalog on the registry',
      );
    const now = this.clock.now();
    const consumerInputs = await inputVisibility(
      this.prisma,
      this.state,
      actor.participantId,
      input.dataset,
      now,
    );
    const decision = this.gate.decide({
      action: 'grant.request',
      subjectId: actor.participantId,
      dataset: input.dataset,
      grant: null,
      purpose: input.purpose,
      now,
      ...(consumerInputs ? { consumerInputs } : {}),
    });
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
      let row = created;
      if (options.autoApprove !== false && approvedByPolicy(contract)) {
        // `approval: policy`: the policy alone decides, now, as the originator's approval would be decided.
        const approval = this.gate.decide({
          action: 'grant.approve',
          subjectId: contract.owner,
          dataset: input.dataset,
          grant: toView(created),
          purpose: input.purpose,
          now,
        });
        await appendAudit(tx, [decisionEntry(approval.record)]);
        if (approval.result.allow) {
          row = await this.transition(tx, created, 'granted', POLICY_APPROVER, 'approved by policy', now, {
            historyFrom: historyAt(created.historyRequested ?? now.toISOString()),
          });
        }
      }
      if (options.within) await options.within(tx, row);
      return row;
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
  async approve(actor: Principal, id: string, reason: string | null, historyFrom?: string) {
    const delegated = this.approvalDelegate ? await this.approvalDelegate(actor, id, reason) : null;
    if (delegated) return delegated;
    return this.move(actor, id, 'granted', reason, { policyAction: 'grant.approve', historyFrom });
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
    return this.move(actor, id, 'granted', reason, { verb: 'resumed' });
  }

  async get(actor: Principal, id: string): Promise<GrantDto> {
    return toDto(await this.access.ofParty(actor, id));
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

  /**
   * A party moves a grant. `policyAction`: the move is decided by the policy (approval); `verb`: who may make
   * it (default: the target state); `historyFrom`: the history term an approval fixes.
   */
  private async move(
    actor: Principal,
    id: string,
    to: GrantState,
    reason: string | null,
    options: { policyAction?: PolicyAction; verb?: keyof typeof movers; historyFrom?: string } = {},
  ): Promise<GrantDto> {
    if (options.policyAction) await syncFor(this.sync);
    const now = this.clock.now();
    const outcome = await this.prisma.$transaction((tx) =>
      this.moveWithin(tx, actor, id, to, reason, now, options),
    );
    if (!outcome.updated) throw denied(outcome.denied, 'Approving this grant');
    // The event is on Kafka before we answer: a revocation is in force for every later delivery.
    await this.outbox.flush();
    return toDto(outcome.updated);
  }

  /**
   * A party's move of a grant inside the caller's transaction (which flushes the outbox after its commit):
   * row lock, party check, the grant machine's guard, the policy decision when `policyAction` is given (on
   * the chain; `denied` when it refuses), then the transition. `policyAction`: the move is decided by the
   * policy (approval); `verb`: who may make it (default: the target state); `historyFrom`: the history term
   * an approval fixes.
   */
  async moveWithin(
    tx: Prisma.TransactionClient,
    actor: Pick<Principal, 'participantId'>,
    id: string,
    to: GrantState,
    reason: string | null,
    now: Date,
    options: { policyAction?: PolicyAction; verb?: keyof typeof movers; historyFrom?: string } = {},
  ): Promise<{ denied: PolicyDecision; updated: null } | { denied: null; updated: GrantRow }> {
    const { policyAction, verb = to as keyof typeof movers, historyFrom } = options;
    // Row lock: concurrent moves of one grant are serialised, and each sees the other's result.
    await tx.$executeRaw`SELECT 1 FROM clearing.grants WHERE id = ${id}::uuid FOR UPDATE`;
    const grant = await this.access.ofParty(actor as Principal, id, tx);
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
      const decision = this.gate.decide({
        action: policyAction,
        subjectId: actor.participantId,
        dataset: grant.dataset,
        grant: toView(grant),
        purpose: grant.purpose,
        now,
      });
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
  }

  /**
   * The guarded step of every move, inside the caller's transaction and under its row lock on the grant:
   * the state change, its transition record, outbox event and audit entry, and — when a grant the consumer
   * held ends (revoked or expired) — the consumer's deletion obligation, all committed together.
   * The expiry sweep (deadlines/) moves grants through here too. The caller flushes the outbox after the commit.
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
    // What moves with the grant (its DSP transfers) moves in this transaction.
    await this.hooks.run(tx, {
      grant: updated,
      from: grant.state as GrantState,
      to,
      actorId,
      reason,
      at: now,
    });
    return updated;
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
