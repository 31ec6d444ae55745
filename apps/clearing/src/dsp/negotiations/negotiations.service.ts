import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  badRequest,
  CLOCK,
  conflict,
  concealing,
  DomainError,
  notFound,
  PlatformProjection,
  Purpose,
  type Clock,
  type ContractTerms,
} from '@renkei/domain';
import type { Principal } from '@renkei/auth';
import { dspDatasetId, parseDspRef } from '@renkei/contracts';
import { OutboxRelay } from '@renkei/kafka';
import { Prisma, PrismaClient, type DspNegotiationModel } from '@renkei/persistence';
import { PolicyGate, denied, syncFor, type PolicyDecision, type ProjectionSync } from '@renkei/policy';
import { appendAudit, decisionEntry } from '../../audit/audit-log.js';
import { PROJECTION_SYNC } from '../../core/clearing-core.module.js';
import type { GrantRow } from '../../grants/grant-view.js';
import { RequestGrantSchema } from '../../grants/grants.dto.js';
import { GrantTransitionHooks, type GrantTransition } from '../../grants/grant-transitions.js';
import { approvedByPolicy, GrantsService, POLICY_APPROVER } from '../../grants/grants.service.js';
import { DspCallbacks, type CallbackProcess } from '../core/callbacks.js';
import { auditDspChange, CLEARING_ACTOR } from '../core/dsp-audit.js';
import {
  ContractNegotiationSchema,
  dspMessage,
  idOf,
  reasonText,
  type ContractAgreementMessage,
  type ContractNegotiationEventMessage,
  type ContractOfferMessage,
  type ContractRequestMessage,
  type DspPolicy,
  type NegotiationState,
  type Side,
} from '../core/dsp-messages.js';
import { DEFAULT_DSP_PARTICIPANT_ID, DspSettings, protocolUrl } from '../core/dsp-settings.js';
import { checkOutgoingUrl, pathSegment } from '../core/outgoing.js';
import { DspPeers } from '../core/peers.service.js';
import { assertNegotiationMove, isFinal, type NegotiationMove } from './negotiation-machine.js';
import { grantRules, offerPurposes } from './negotiation-terms.js';
import type { CreateNegotiation, ListNegotiations, NegotiationDto } from './negotiations.dto.js';

export type NegotiationRow = DspNegotiationModel;
type Tx = Prisma.TransactionClient;

/** How the answer to a peer's message is written (Fastify reply): the callbacks wait for it. */
export interface Reply {
  raw: NodeJS.EventEmitter;
}

const other = (side: Side): Side => (side === 'provider' ? 'consumer' : 'provider');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A ContractNegotiation as the protocol shows it (the answer to a request and a GET). */
export function negotiationView(
  row: NegotiationRow,
  state: NegotiationState = row.state as NegotiationState,
) {
  return dspMessage('ContractNegotiation', {
    providerPid: row.side === 'provider' ? row.id : (row.providerPid ?? ''),
    consumerPid: row.consumerPid,
    state,
  });
}

export function toDto(row: NegotiationRow): NegotiationDto {
  return {
    id: row.id,
    side: row.side as Side,
    state: row.state as NegotiationState,
    peer: row.peerId,
    member: row.memberId,
    grantId: row.grantId,
    dataset: row.dataset,
    datasetId: row.datasetDspId,
    offerId: row.offerId,
    consumerPid: row.consumerPid,
    providerPid: row.side === 'provider' ? row.id : row.providerPid,
    callbackAddress: row.callbackAddress,
    offer: row.offer as Record<string, unknown>,
    agreement: (row.agreement as Record<string, unknown> | null) ?? null,
    agreementId: row.agreementId,
    finalize: row.finalize as 'on-verification' | 'manual',
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * DSP contract negotiations on both sides (ADR: one model seen two ways). Provider side: a negotiation IS
 * a grant request by the peer (GrantsService, policy `grant.request`), the agreement is the approval
 * decision (policy `grant.approve`, by the originator or — contract term `approval: policy` — by the
 * policy alone), FINALIZED makes the grant live, a termination rejects (provider) or revokes (consumer) it.
 * Consumer side: a member negotiates with another connector through /connector/negotiations.
 *
 * Every move: under the row lock, guarded by the machine (negotiation-machine.ts), on the audit chain, and
 * the message it sends written to the callback outbox — all in one transaction.
 */
@Injectable()
export class DspNegotiations implements OnModuleInit {
  private readonly logger = new Logger('dsp-negotiations');

  constructor(
    @Inject(PrismaClient) private readonly prisma: PrismaClient,
    @Inject(OutboxRelay) private readonly outbox: OutboxRelay,
    @Inject(PlatformProjection) private readonly state: PlatformProjection,
    @Inject(PROJECTION_SYNC) private readonly sync: ProjectionSync,
    @Inject(PolicyGate) private readonly gate: PolicyGate,
    @Inject(GrantsService) private readonly grants: GrantsService,
    @Inject(GrantTransitionHooks) private readonly grantHooks: GrantTransitionHooks,
    @Inject(DspCallbacks) private readonly callbacks: DspCallbacks,
    @Inject(DspPeers) private readonly peers: DspPeers,
    @Inject(DspSettings) private readonly settings: DspSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.grantHooks.add((tx, change) => this.followGrant(tx, change));
    this.grants.delegateApproval((actor, id, reason) => this.approveByGrant(actor, id, reason));
    this.callbacks.handle('negotiation', {
      answered: (id, answer, url) => this.answered(id, answer.json, url),
      dead: (id, error, url) => this.undeliverable(id, error, url),
    });
  }

  // ------------------------------------------------------------------------------------ provider: the peer

  /** ContractRequestMessage (initial): a grant request by the peer; idempotent by consumerPid. */
  async request(peer: Principal, msg: ContractRequestMessage, reply: Reply) {
    const peerId = peer.participantId;
    const existing = await this.prisma.dspNegotiation.findUnique({
      where: { side_peerId_consumerPid: { side: 'provider', peerId, consumerPid: msg.consumerPid } },
    });
    if (existing) return negotiationView(existing);
    if (!msg.callbackAddress)
      throw badRequest('DSP.INVALID_MESSAGE', 'A new negotiation needs the callbackAddress of the consumer', [
        { path: '/callbackAddress', message: 'required in the first ContractRequestMessage' },
      ]);
    checkOutgoingUrl(msg.callbackAddress, this.settings);
    const { ref, terms } = await this.offered(peerId, msg.offer);
    const purpose = this.purposeOf(msg.offer, terms);
    const current = this.state.currentContract(ref.dataset);
    const id = randomUUID();
    this.callbacks.holdUntilAnswered(id, reply);
    const base = {
      id,
      side: 'provider',
      peerId,
      memberId: terms.owner,
      dataset: ref.dataset,
      datasetDspId: idOf(msg.offer.target) ?? dspDatasetId(ref.dataset, ref.version),
      offerId: msg.offer['@id'],
      consumerPid: msg.consumerPid,
      providerPid: id,
      callbackAddress: msg.callbackAddress,
      offer: msg.offer as Prisma.InputJsonValue,
    };
    const input = RequestGrantSchema.parse({ dataset: ref.dataset, purpose });
    try {
      await this.grants.request(peer, input, {
        autoApprove: false,
        within: async (tx, grant) => {
          const now = this.clock.now();
          const row = await tx.dspNegotiation.create({
            data: { ...base, state: 'REQUESTED', grantId: grant.id, createdAt: now, updatedAt: now },
          });
          await this.audit(tx, row, null, peerId, 'ContractRequestMessage', null, now);
          // `approval: policy`: the policy decides at once, as the originator would.
          if (approvedByPolicy(current)) await this.agreeByPolicy(tx, row, grant, now);
        },
      });
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'forbidden' && error.policy) {
        // The policy refuses the request itself: the negotiation is answered, then terminated with the rule.
        await this.refusedRequest(base, peerId, error);
        return negotiationView({ ...base, state: 'REQUESTED' } as NegotiationRow);
      }
      if (error instanceof DomainError && error.code === 'CONTRACT.NOT_FOUND') throw this.unknownOffer();
      throw error;
    }
    await this.outbox.flush();
    return negotiationView({ ...base, state: 'REQUESTED' } as NegotiationRow);
  }

  /** A consumer message on an existing negotiation (counter-offer, ACCEPTED, verification, termination). */
  async fromPeer(
    peer: Principal,
    pid: string,
    move: NegotiationMove,
    msg: {
      providerPid: string;
      consumerPid?: string;
      offer?: DspPolicy;
      agreement?: DspPolicy;
      reason?: unknown[];
      code?: string | number;
    },
    reply: Reply,
    cause: string,
  ) {
    const found = await this.ofPeer(peer, pid);
    this.checkPids(found, msg);
    this.callbacks.holdUntilAnswered(found.id, reply);
    const role = other(found.side as Side);
    const now = this.clock.now();
    const outcome = await this.prisma.$transaction(async (tx) => {
      const row = await this.lock(tx, found.id);
      const to = assertNegotiationMove(row.state, role, move);
      const reason = move === 'terminate' ? reasonText(msg.reason, msg.code) : null;
      const data: Prisma.DspNegotiationUpdateInput = { state: to, updatedAt: now };
      if (row.side === 'consumer' && !row.providerPid) data.providerPid = msg.providerPid;
      if (move === 'request' && msg.offer) data.offer = msg.offer as Prisma.InputJsonValue;
      if (move === 'offer' && msg.offer) data.offer = msg.offer as Prisma.InputJsonValue;
      if (move === 'agree' && msg.agreement) {
        data.agreement = msg.agreement as Prisma.InputJsonValue;
        data.agreementId = msg.agreement['@id'];
      }
      let updated = await tx.dspNegotiation.update({ where: { id: row.id }, data });
      await this.audit(tx, updated, row.state, peer.participantId, cause, reason, now);
      let denial: PolicyDecision | null = null;
      if (row.side === 'provider') {
        if (move === 'terminate' && row.grantId) {
          // The consumer gives its request up: the grant is revoked by it (requested → revoked).
          await this.grants.moveWithin(
            tx,
            peer,
            row.grantId,
            'revoked',
            reason ?? 'terminated by the consumer',
            now,
          );
        }
        const next = await this.providerFollowUp(tx, updated, now);
        updated = next.row;
        denial = next.denied;
      }
      return { updated, denial };
    });
    await this.outbox.flush();
    if (outcome.denial) this.logger.log(`negotiation ${found.id} terminated by policy`);
    return negotiationView(outcome.updated);
  }

  /** GET /negotiations/{pid}: the peer's view of its process (either side). */
  async view(peer: Principal, pid: string) {
    const row = await this.ofPeer(peer, pid);
    return negotiationView(row);
  }

  // -------------------------------------------------------------------------------- provider: the originator

  /** The originator offers the contract's terms for the requested grant (REQUESTED → OFFERED). */
  async offer(actor: Principal, id: string) {
    return this.providerMove(actor, id, 'offer', 'originator offer', async (tx, row, now) => {
      const { terms, grant } = await this.grantTerms(tx, row);
      const offer = {
        '@id': row.offerId,
        '@type': 'Offer',
        target: row.datasetDspId,
        assigner: this.assigner(),
        ...grantRules(terms, grant.purpose, row.datasetDspId, this.assigner(), 'offer'),
      };
      const updated = await tx.dspNegotiation.update({
        where: { id: row.id },
        data: { state: 'OFFERED', offer: offer as Prisma.InputJsonValue, updatedAt: now },
      });
      await this.send(tx, updated, 'offers', 'ContractOfferMessage', { offer });
      return { row: updated };
    });
  }

  /** The originator agrees (REQUESTED/ACCEPTED → AGREED): the approval decision, then the agreement. */
  async agree(actor: Principal, id: string, finalize: 'on-verification' | 'manual' = 'on-verification') {
    await syncFor(this.sync);
    return this.providerMove(actor, id, 'agree', 'originator agreement', async (tx, row, now) => {
      const grant = await this.grantOf(tx, row);
      const decision = this.decideApproval(actor.participantId, grant, now);
      await appendAudit(tx, [decisionEntry(decision.record)]);
      if (!decision.result.allow) return { row, denied: decision.result };
      return { row: await this.sendAgreement(tx, row, grant, finalize, now) };
    });
  }

  /** The originator finalizes a VERIFIED agreement: the grant goes live (VERIFIED → FINALIZED). */
  async finalize(actor: Principal, id: string) {
    await syncFor(this.sync);
    return this.providerMove(actor, id, 'finalize', 'originator finalize', async (tx, row, now) => {
      const result = await this.goLive(tx, row, actor, now);
      return result.denied ? { row, denied: result.denied } : { row: result.row };
    });
  }

  /** The originator terminates before FINALIZED: the grant request is rejected. */
  async terminate(actor: Principal, id: string, reason: string | null) {
    const row = await this.ofMember(actor, id);
    if (row.side === 'consumer') return this.consumerTerminate(actor, row, reason);
    return this.providerMove(actor, id, 'terminate', 'originator termination', async (tx, locked, now) => {
      return { row: await this.terminateAsProvider(tx, locked, actor.participantId, reason, null, now) };
    });
  }

  /** POST /grants/{id}/approve on a grant negotiated over DSP: the agreement is sent (or, when VERIFIED, it is finalized). */
  private async approveByGrant(actor: Principal, grantId: string, _reason: string | null) {
    const row = await this.prisma.dspNegotiation.findFirst({ where: { side: 'provider', grantId } });
    if (!row || row.memberId !== actor.participantId || isFinal(row.state)) return null;
    if (row.state === 'VERIFIED') await this.finalize(actor, row.id);
    else await this.agree(actor, row.id);
    return this.grants.get(actor, grantId);
  }

  // ---------------------------------------------------------------------------------- consumer: the member

  /** A member starts a negotiation with another connector (it sends our ContractRequestMessage). */
  async create(actor: Principal, input: CreateNegotiation): Promise<NegotiationDto> {
    const registered = await this.peers.find(input.peer);
    const address = input.connectorAddress ?? registered?.address;
    if (!address)
      throw notFound(
        'DSP.PEER_NOT_FOUND',
        `No peer connector registered for participant ${input.peer}, and no connectorAddress given`,
        'Give connectorAddress, or ask the consortium admin to register the peer (POST /connector/peers)',
      );
    checkOutgoingUrl(address, this.settings);
    const id = randomUUID();
    const offer = {
      '@id': input.offerId,
      '@type': 'Offer',
      target: input.datasetId,
      permission: [
        {
          action: 'use',
          ...(input.purpose
            ? { constraint: [{ leftOperand: 'odrl:purpose', operator: 'eq', rightOperand: input.purpose }] }
            : {}),
        },
      ],
    };
    const now = this.clock.now();
    const row = await this.prisma.$transaction(async (tx) => {
      const created = await tx.dspNegotiation.create({
        data: {
          id,
          side: 'consumer',
          state: 'REQUESTED',
          peerId: input.peer,
          memberId: actor.participantId,
          dataset: null,
          datasetDspId: input.datasetId,
          offerId: input.offerId,
          consumerPid: id,
          providerPid: null,
          callbackAddress: address,
          offer,
          createdAt: now,
          updatedAt: now,
        },
      });
      await this.audit(tx, created, null, actor.participantId, 'member request', null, now);
      await this.callbacks.enqueue(
        tx,
        this.process(created),
        'negotiations/request',
        dspMessage('ContractRequestMessage', {
          '@id': `urn:uuid:${randomUUID()}`,
          consumerPid: id,
          offer,
          callbackAddress: protocolUrl(this.settings),
        }),
      );
      return created;
    });
    this.callbacks.kick();
    return toDto(row);
  }

  /** The member accepts the provider's offer (OFFERED → ACCEPTED). */
  accept(actor: Principal, id: string) {
    return this.consumerMove(actor, id, 'accept', async (tx, row, now) => {
      const updated = await tx.dspNegotiation.update({
        where: { id: row.id },
        data: { state: 'ACCEPTED', updatedAt: now },
      });
      await this.sendToProvider(tx, updated, 'events', 'ContractNegotiationEventMessage', {
        eventType: 'ACCEPTED',
      });
      return updated;
    });
  }

  /** The member verifies the provider's agreement (AGREED → VERIFIED). */
  verify(actor: Principal, id: string) {
    return this.consumerMove(actor, id, 'verify', async (tx, row, now) => {
      const updated = await tx.dspNegotiation.update({
        where: { id: row.id },
        data: { state: 'VERIFIED', updatedAt: now },
      });
      await this.sendToProvider(
        tx,
        updated,
        'agreement/verification',
        'ContractAgreementVerificationMessage',
        {},
      );
      return updated;
    });
  }

  /** The member counters the provider's offer (OFFERED → REQUESTED), with its own offer or the one received. */
  counter(actor: Principal, id: string, offer: DspPolicy | undefined) {
    return this.consumerMove(actor, id, 'request', async (tx, row, now) => {
      const next = (offer ?? row.offer) as Prisma.InputJsonValue;
      const updated = await tx.dspNegotiation.update({
        where: { id: row.id },
        data: { state: 'REQUESTED', offer: next, updatedAt: now },
      });
      await this.sendToProvider(tx, updated, 'request', 'ContractRequestMessage', { offer: next });
      return updated;
    });
  }

  private consumerTerminate(actor: Principal, row: NegotiationRow, reason: string | null) {
    return this.consumerMove(
      actor,
      row.id,
      'terminate',
      async (tx, locked, now) => {
        const updated = await tx.dspNegotiation.update({
          where: { id: locked.id },
          data: { state: 'TERMINATED', updatedAt: now },
        });
        if (updated.providerPid)
          await this.sendToProvider(tx, updated, 'termination', 'ContractNegotiationTerminationMessage', {
            code: 'TERMINATED',
            reason: [reason ?? 'terminated by the consumer'],
          });
        return updated;
      },
      reason,
    );
  }

  // ------------------------------------------------------------------------------------------- reading

  async list(actor: Principal, query: ListNegotiations): Promise<NegotiationDto[]> {
    const rows = await this.prisma.dspNegotiation.findMany({
      where: {
        memberId: actor.participantId,
        ...(query.side ? { side: query.side } : {}),
        ...(query.state ? { state: query.state } : {}),
        ...(query.dataset ? { OR: [{ dataset: query.dataset }, { datasetDspId: query.dataset }] } : {}),
      },
      orderBy: { createdAt: 'desc' },
      take: 500,
    });
    return rows.map(toDto);
  }

  async get(actor: Principal, id: string): Promise<NegotiationDto> {
    return toDto(await this.ofMember(actor, id));
  }

  // ------------------------------------------------------------------------------------------- internals

  /** The process of `pid` if the caller is its peer (either side); else answered like an unknown one. */
  private async ofPeer(peer: Principal, pid: string): Promise<NegotiationRow> {
    const row = UUID.test(pid) ? await this.prisma.dspNegotiation.findUnique({ where: { id: pid } }) : null;
    if (!row || row.peerId !== peer.participantId) {
      const error = notFound('DSP.UNKNOWN_PROCESS', `No negotiation ${pid.slice(0, 100)} with you`);
      throw row ? concealing(error, { type: 'dsp-negotiation', id: pid }) : error;
    }
    return row;
  }

  /** The negotiation if the member is its party on our side; else 404. */
  private async ofMember(
    actor: Principal,
    id: string,
    db: Pick<PrismaClient, 'dspNegotiation'> = this.prisma,
  ) {
    const row = UUID.test(id) ? await db.dspNegotiation.findUnique({ where: { id } }) : null;
    if (!row || row.memberId !== actor.participantId) {
      const error = notFound('DSP.NEGOTIATION_NOT_FOUND', `No negotiation ${id.slice(0, 100)} on your side`);
      throw row ? concealing(error, { type: 'dsp-negotiation', id }) : error;
    }
    return row;
  }

  private async lock(tx: Tx, id: string): Promise<NegotiationRow> {
    await tx.$executeRaw`SELECT 1 FROM clearing.dsp_negotiations WHERE id = ${id}::uuid FOR UPDATE`;
    return tx.dspNegotiation.findUniqueOrThrow({ where: { id } });
  }

  /** The pids a peer's message names must be this process's. */
  private checkPids(row: NegotiationRow, msg: { providerPid: string; consumerPid?: string }) {
    const providerPid = row.side === 'provider' ? row.id : row.providerPid;
    const wrong =
      (msg.consumerPid !== undefined && msg.consumerPid !== row.consumerPid) ||
      (providerPid !== null && msg.providerPid !== providerPid);
    if (wrong)
      throw badRequest('DSP.INVALID_MESSAGE', 'The pids in the message are not those of this negotiation', [
        { path: '/providerPid', message: 'must be the pids of the negotiation in the path' },
      ]);
  }

  /** The dataset and contract terms an offer names, if the peer may see them; else 400 DSP.UNKNOWN_OFFER. */
  private async offered(
    peerId: string,
    offer: DspPolicy,
  ): Promise<{ ref: { dataset: string; version: string }; terms: ContractTerms }> {
    const ref = parseDspRef(idOf(offer.target)) ?? parseDspRef(offer['@id']);
    if (!ref) throw this.unknownOffer();
    await syncFor(this.sync, () => this.state.contracts.get(ref.dataset)?.has(ref.version) === true);
    const terms = this.state.contracts.get(ref.dataset)?.get(ref.version);
    const visible =
      terms &&
      (terms.status === 'active' || terms.status === 'deprecated') &&
      (terms.visibility !== 'invited' || terms.owner === peerId || (terms.invited ?? []).includes(peerId));
    if (!terms || !visible) throw this.unknownOffer();
    return { ref, terms };
  }

  private unknownOffer() {
    return badRequest(
      'DSP.UNKNOWN_OFFER',
      'No such offer for you',
      [{ path: '/offer', message: 'not an offer of this connector that you may see' }],
      'Take the offer @id and the dataset @id from the catalog (POST /dsp/catalog/request)',
    );
  }

  /** The purpose the offer names (odrl:purpose), else the contract's only purpose; else 400. */
  private purposeOf(offer: DspPolicy, terms: ContractTerms): string {
    const named = offerPurposes(offer);
    const purpose =
      named.length === 1
        ? named[0]
        : named.length === 0 && terms.purposes.length === 1
          ? terms.purposes[0]
          : undefined;
    if (!purpose)
      throw badRequest(
        'DSP.PURPOSE_REQUIRED',
        named.length > 1
          ? 'The offer names more than one purpose: a grant is for one'
          : `The contract offers several purposes (${terms.purposes.join(', ')}) and the offer names none`,
        [{ path: '/offer/permission', message: 'add a constraint odrl:purpose eq <purpose>' }],
        `Name one of: ${terms.purposes.join(', ')}`,
      );
    if (!Purpose.safeParse(purpose).success)
      throw badRequest('DSP.INVALID_MESSAGE', 'The purpose the offer names is not a purpose name', [
        { path: '/offer/permission', message: 'lower-case words joined by hyphens' },
      ]);
    return purpose;
  }

  /** The grant.request policy refused the peer's request: the negotiation is recorded, then terminated with the rule. */
  private async refusedRequest(
    base: Omit<Prisma.DspNegotiationUncheckedCreateInput, 'state' | 'grantId' | 'createdAt' | 'updatedAt'>,
    peerId: string,
    error: DomainError,
  ) {
    const now = this.clock.now();
    const rule = error.policy?.rule ?? error.code;
    const text = error.policy?.explanations[0]?.message ?? error.message;
    await this.prisma.$transaction(async (tx) => {
      const row = await tx.dspNegotiation.create({
        data: { ...base, state: 'TERMINATED', grantId: null, createdAt: now, updatedAt: now },
      });
      await this.audit(tx, { ...row, state: 'REQUESTED' }, null, peerId, 'ContractRequestMessage', null, now);
      await this.audit(
        tx,
        row,
        'REQUESTED',
        CLEARING_ACTOR,
        'policy refused the request',
        `${rule}: ${text}`,
        now,
      );
      await this.send(tx, row, 'termination', 'ContractNegotiationTerminationMessage', {
        code: rule,
        reason: [text],
      });
    });
  }

  /** What the provider side does by itself after a consumer's move: policy agreement, finalization on verification. */
  private async providerFollowUp(
    tx: Tx,
    row: NegotiationRow,
    now: Date,
  ): Promise<{ row: NegotiationRow; denied: PolicyDecision | null }> {
    if (!row.grantId || isFinal(row.state)) return { row, denied: null };
    const dataset = row.dataset ?? '';
    const byPolicy = approvedByPolicy(this.state.currentContract(dataset));
    if (byPolicy && (row.state === 'REQUESTED' || row.state === 'ACCEPTED')) {
      const grant = await this.grantOf(tx, row);
      return { row: await this.agreeByPolicy(tx, row, grant, now), denied: null };
    }
    if (row.state === 'VERIFIED' && (byPolicy || row.finalize === 'on-verification')) {
      const result = await this.goLive(tx, row, { participantId: row.memberId }, now);
      if (result.denied) {
        const text = result.denied.reasons[0] ?? 'POLICY.DENIED';
        const ended = await this.terminateAsProvider(
          tx,
          row,
          CLEARING_ACTOR,
          `policy refused: ${text}`,
          text,
          now,
        );
        return { row: ended, denied: result.denied };
      }
      await this.audit(tx, result.row, row.state, CLEARING_ACTOR, 'finalized on verification', null, now);
      return { row: result.row, denied: null };
    }
    return { row, denied: null };
  }

  /** `approval: policy`: the approval decision now; allowed → agreement, refused → termination with the rule. */
  private async agreeByPolicy(
    tx: Tx,
    row: NegotiationRow,
    grant: GrantRow,
    now: Date,
  ): Promise<NegotiationRow> {
    const decision = this.decideApproval(row.memberId, grant, now);
    await appendAudit(tx, [decisionEntry(decision.record)]);
    if (decision.result.allow)
      return this.sendAgreement(tx, row, grant, 'on-verification', now, CLEARING_ACTOR);
    const rule = decision.result.reasons[0] ?? 'POLICY.DENIED';
    return this.terminateAsProvider(tx, row, CLEARING_ACTOR, `policy refused: ${rule}`, rule, now);
  }

  private decideApproval(subjectId: string, grant: GrantRow, now: Date) {
    return this.gate.decide({
      action: 'grant.approve',
      subjectId,
      dataset: grant.dataset,
      grant: {
        id: grant.id,
        state: grant.state as 'requested',
        originator: grant.originatorId,
        consumer: grant.consumerId,
        dataset: grant.dataset,
        purpose: grant.purpose,
        fields: (grant.fields as string[] | null) ?? null,
        validFrom: grant.validFrom.toISOString(),
        validUntil: grant.validUntil?.toISOString() ?? null,
        deletionDays: grant.deletionDays,
        onwardTransfer: grant.onwardTransfer,
        historyFrom: null,
        changedAt: grant.updatedAt.toISOString(),
      },
      purpose: grant.purpose,
      now,
    });
  }

  /** AGREED with the agreement (the grant's ODRL policy) sent to the consumer. */
  private async sendAgreement(
    tx: Tx,
    row: NegotiationRow,
    grant: GrantRow,
    finalize: 'on-verification' | 'manual',
    now: Date,
    actorId = row.memberId,
  ): Promise<NegotiationRow> {
    assertNegotiationMove(row.state, 'provider', 'agree');
    const { terms } = await this.grantTerms(tx, row, grant);
    const agreement = {
      '@id': grant.id,
      '@type': 'Agreement',
      target: row.datasetDspId,
      assigner: this.assigner(),
      assignee: row.peerId,
      timestamp: now.toISOString(),
      ...grantRules(terms, grant.purpose, row.datasetDspId, this.assigner(), 'agreement'),
    };
    const updated = await tx.dspNegotiation.update({
      where: { id: row.id },
      data: {
        state: 'AGREED',
        agreement: agreement as Prisma.InputJsonValue,
        agreementId: grant.id,
        finalize,
        updatedAt: now,
      },
    });
    if (actorId === CLEARING_ACTOR)
      await this.audit(tx, updated, row.state, actorId, 'policy agreement', null, now);
    await this.send(tx, updated, 'agreement', 'ContractAgreementMessage', { agreement });
    return updated;
  }

  /** FINALIZED: the grant is approved through the policy (it goes live) and the consumer told; refused → denied. */
  private async goLive(
    tx: Tx,
    row: NegotiationRow,
    approver: Pick<Principal, 'participantId'>,
    now: Date,
  ): Promise<{ row: NegotiationRow; denied: PolicyDecision | null }> {
    const moved = await this.grants.moveWithin(
      tx,
      approver,
      row.grantId!,
      'granted',
      'agreement finalized (DSP)',
      now,
      {
        policyAction: 'grant.approve',
      },
    );
    if (moved.denied) return { row, denied: moved.denied };
    const updated = await tx.dspNegotiation.update({
      where: { id: row.id },
      data: { state: 'FINALIZED', updatedAt: now },
    });
    await this.send(tx, updated, 'events', 'ContractNegotiationEventMessage', { eventType: 'FINALIZED' });
    return { row: updated, denied: null };
  }

  /** TERMINATED by the provider side (originator, policy, or the grant ended): the grant request is rejected. */
  private async terminateAsProvider(
    tx: Tx,
    row: NegotiationRow,
    actorId: string,
    reason: string | null,
    code: string | null,
    now: Date,
  ): Promise<NegotiationRow> {
    assertNegotiationMove(row.state, 'provider', 'terminate');
    const updated = await tx.dspNegotiation.update({
      where: { id: row.id },
      data: { state: 'TERMINATED', updatedAt: now },
    });
    if (actorId === CLEARING_ACTOR)
      await this.audit(tx, updated, row.state, actorId, 'policy termination', reason, now);
    if (row.grantId) {
      const grant = await tx.grant.findUnique({ where: { id: row.grantId } });
      if (grant?.state === 'requested')
        await this.grants.transition(
          tx,
          grant,
          'rejected',
          actorId === CLEARING_ACTOR ? POLICY_APPROVER : actorId,
          reason ?? 'negotiation terminated by the provider',
          now,
        );
    }
    await this.send(tx, updated, 'termination', 'ContractNegotiationTerminationMessage', {
      ...(code ? { code } : {}),
      reason: [reason ?? 'terminated by the provider'],
    });
    return updated;
  }

  /** A provider-side move by the originator: guard, move, audit and message in one transaction. */
  private async providerMove(
    actor: Principal,
    id: string,
    move: NegotiationMove,
    cause: string,
    work: (
      tx: Tx,
      row: NegotiationRow,
      now: Date,
    ) => Promise<{ row: NegotiationRow; denied?: PolicyDecision }>,
  ): Promise<NegotiationDto> {
    const found = await this.ofMember(actor, id);
    if (found.side !== 'provider')
      throw conflict(
        'DSP.ILLEGAL_TRANSITION',
        `On the consumer side a member cannot ${move}`,
        'That is the provider’s move',
      );
    const now = this.clock.now();
    const outcome = await this.prisma.$transaction(async (tx) => {
      const row = await this.lock(tx, id);
      assertNegotiationMove(row.state, 'provider', move);
      const result = await work(tx, row, now);
      if (result.denied) return result;
      if (move !== 'terminate' || result.row.state === 'TERMINATED')
        await this.audit(tx, result.row, row.state, actor.participantId, cause, null, now);
      return result;
    });
    await this.outbox.flush();
    this.callbacks.kick();
    if (outcome.denied)
      throw denied(outcome.denied, move === 'agree' ? 'Agreeing' : 'Finalizing this agreement');
    return toDto(outcome.row);
  }

  /** A consumer-side move by the member: guard, move, audit and message in one transaction. */
  private async consumerMove(
    actor: Principal,
    id: string,
    move: NegotiationMove,
    work: (tx: Tx, row: NegotiationRow, now: Date) => Promise<NegotiationRow>,
    reason: string | null = null,
  ): Promise<NegotiationDto> {
    const found = await this.ofMember(actor, id);
    if (found.side !== 'consumer')
      throw conflict(
        'DSP.ILLEGAL_TRANSITION',
        `On the provider side the originator cannot ${move}`,
        'That is the consumer’s move',
      );
    const now = this.clock.now();
    const updated = await this.prisma.$transaction(async (tx) => {
      const row = await this.lock(tx, id);
      assertNegotiationMove(row.state, 'consumer', move);
      if (move !== 'terminate' && !row.providerPid)
        throw conflict(
          'DSP.ILLEGAL_TRANSITION',
          'The provider has not answered the request yet',
          'Try again in a moment',
        );
      const next = await work(tx, row, now);
      await this.audit(tx, next, row.state, actor.participantId, `member ${move}`, reason, now);
      return next;
    });
    this.callbacks.kick();
    return toDto(updated);
  }

  private async grantOf(tx: Tx, row: NegotiationRow): Promise<GrantRow> {
    if (!row.grantId)
      throw conflict('DSP.ILLEGAL_TRANSITION', 'This negotiation has no grant request', 'It was refused');
    return tx.grant.findUniqueOrThrow({ where: { id: row.grantId } });
  }

  /** The contract terms the negotiation is about (the version it names, else the current one) and its grant. */
  private async grantTerms(tx: Tx, row: NegotiationRow, known?: GrantRow) {
    const grant = known ?? (await this.grantOf(tx, row));
    const ref = parseDspRef(row.datasetDspId);
    const terms =
      (ref && this.state.contracts.get(ref.dataset)?.get(ref.version)) ??
      this.state.currentContract(grant.dataset);
    if (!terms)
      throw conflict(
        'DSP.ILLEGAL_TRANSITION',
        `The contract of '${grant.dataset}' is gone`,
        'Terminate the negotiation',
      );
    return { terms, grant };
  }

  /** Who offers and agrees for the provider side: this connector's DSP participant id. */
  private assigner(): string {
    return this.settings.participantId ?? DEFAULT_DSP_PARTICIPANT_ID;
  }

  private process(row: NegotiationRow): CallbackProcess {
    return { kind: 'negotiation', id: row.id, peerId: row.peerId, callbackAddress: row.callbackAddress };
  }

  /** A provider message to the consumer, at `<callbackAddress>/negotiations/<consumerPid>/<path>`. */
  private send(tx: Tx, row: NegotiationRow, path: string, type: string, members: Record<string, unknown>) {
    return this.callbacks.enqueue(
      tx,
      this.process(row),
      `negotiations/${pathSegment(row.consumerPid)}/${path}`,
      dspMessage(type, {
        '@id': `urn:uuid:${randomUUID()}`,
        providerPid: row.id,
        consumerPid: row.consumerPid,
        ...members,
      }),
    );
  }

  /** A consumer message to the provider, at `<provider address>/negotiations/<providerPid>/<path>`. */
  private sendToProvider(
    tx: Tx,
    row: NegotiationRow,
    path: string,
    type: string,
    members: Record<string, unknown>,
  ) {
    const providerPid = row.providerPid ?? '';
    return this.callbacks.enqueue(
      tx,
      this.process(row),
      `negotiations/${pathSegment(providerPid)}/${path}`,
      dspMessage(type, { '@id': `urn:uuid:${randomUUID()}`, providerPid, consumerPid: row.id, ...members }),
    );
  }

  private audit(
    tx: Tx,
    row: NegotiationRow,
    from: string | null,
    actorId: string,
    cause: string,
    reason: string | null,
    at: Date,
  ) {
    return auditDspChange(tx, 'negotiation', {
      processId: row.id,
      side: row.side as Side,
      from,
      to: row.state,
      providerPid: row.side === 'provider' ? row.id : row.providerPid,
      consumerPid: row.consumerPid,
      grantId: row.grantId,
      dataset: row.dataset,
      actorId,
      cause,
      reason,
      at,
    });
  }

  /** A grant moved outside the negotiation (rejected, revoked, expired) before FINALIZED: the negotiation ends too. */
  private async followGrant(tx: Tx, change: GrantTransition) {
    if (!['rejected', 'revoked', 'expired'].includes(change.to)) return;
    const found = await tx.dspNegotiation.findFirst({
      where: { side: 'provider', grantId: change.grant.id },
    });
    if (!found || isFinal(found.state)) return;
    const row = await this.lock(tx, found.id);
    if (isFinal(row.state)) return;
    const updated = await tx.dspNegotiation.update({
      where: { id: row.id },
      data: { state: 'TERMINATED', updatedAt: change.at },
    });
    const reason = change.reason ?? `the grant was ${change.to}`;
    await this.audit(tx, updated, row.state, change.actorId, `grant ${change.to}`, reason, change.at);
    await this.send(tx, updated, 'termination', 'ContractNegotiationTerminationMessage', {
      code: `GRANT.${change.to.toUpperCase()}`,
      reason: [reason],
    });
  }

  /** The provider answered our request: its pid (the first provider message may bring it too). */
  private async answered(id: string, body: unknown, url: string) {
    if (!url.endsWith('/negotiations/request')) return;
    const parsed = ContractNegotiationSchema.safeParse(body);
    if (!parsed.success) return;
    await this.prisma.dspNegotiation.updateMany({
      where: { id, side: 'consumer', providerPid: null },
      data: { providerPid: parsed.data.providerPid },
    });
  }

  /** A message that could not be delivered: our request never reached the provider → TERMINATED. */
  private async undeliverable(id: string, error: string, url: string) {
    if (!url.endsWith('/negotiations/request')) return;
    const now = this.clock.now();
    await this.prisma.$transaction(async (tx) => {
      const row = await this.lock(tx, id);
      if (isFinal(row.state)) return;
      const updated = await tx.dspNegotiation.update({
        where: { id },
        data: { state: 'TERMINATED', updatedAt: now },
      });
      await this.audit(
        tx,
        updated,
        row.state,
        CLEARING_ACTOR,
        'request undeliverable',
        error.slice(0, 300),
        now,
      );
    });
  }
}

export type { ContractAgreementMessage, ContractNegotiationEventMessage, ContractOfferMessage };
