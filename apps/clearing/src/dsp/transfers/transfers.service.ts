import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  badRequest,
  CLOCK,
  concealing,
  conflict,
  isTransferState,
  notFound,
  transferMove,
  type Clock,
  type GrantState,
  type TransferMessage,
  type TransferParty,
  type TransferState,
  type TransferView,
} from '@renkei/domain';
import type { Principal } from '@renkei/auth';
import { isTransferFormat, transferDataAddress, transferEndpoint } from '@renkei/contracts';
import { OutboxRelay } from '@renkei/kafka';
import { asJson, Prisma, PrismaClient, type DspTransferModel as DspTransfer } from '@renkei/persistence';
import { emitClearingEvent } from '../../core/clearing-events.js';
import { ClearingSettings } from '../../core/clearing-settings.js';
import { toView as grantView, type GrantRow } from '../../grants/grant-view.js';
import { GrantTransitionHooks, type GrantTransition } from '../../grants/grant-transitions.js';
import { TokensService } from '../../tokens/tokens.service.js';
import { auditDspChange, CLEARING_ACTOR } from '../core/dsp-audit.js';
import { dspMessage, reasonText, type TransferRequestMessage } from '../core/dsp-messages.js';
import { DspSettings, protocolUrl } from '../core/dsp-settings.js';
import { DspPeers } from '../core/peers.service.js';
import { checkOutgoingUrl, pathSegment } from '../core/outgoing.js';
import { DspCallbacks, type CallbackProcess } from '../core/callbacks.js';
import type { PeerAnswer } from '../core/outgoing.js';
import { messageTypes, onGrantMove, onTransferRequest } from './transfer-rules.js';
import type { CreateTransfer, ListTransfers, TransferDto } from './transfers.dto.js';
import { TransferDelivery } from './transfer-delivery.js';

type Tx = Prisma.TransactionClient;

/** How long after a request's answer the first message of the new process may leave (see request()). */
const FIRST_MESSAGE_DELAY_MS = 400;
type Side = 'provider' | 'consumer';

/** What a message that moves a transfer may carry besides the move. */
interface MoveInput {
  /** Who sends it (the peer's side for a received message, our side for our own move). */
  by: TransferParty;
  actorId: string;
  cause: string;
  reason: string | null;
  /** Consumer side: the data address a start message carried. */
  dataAddress?: Record<string, unknown> | null;
  /** Consumer side: the provider pid a provider message named (the first one may come before the answer). */
  providerPid?: string;
}

const otherSide = (side: Side): Side => (side === 'provider' ? 'consumer' : 'provider');

/** The DSP `TransferProcess` of a row, as both sides answer it. */
export function transferProcess(
  row: Pick<DspTransfer, 'id' | 'side' | 'consumerPid' | 'providerPid' | 'state'>,
) {
  return dspMessage('TransferProcess', {
    providerPid: row.side === 'provider' ? row.id : (row.providerPid ?? ''),
    consumerPid: row.consumerPid,
    state: row.state as TransferState,
  });
}

function toDto(row: DspTransfer, viewer: string): TransferDto {
  return {
    id: row.id,
    side: row.side as Side,
    state: row.state as TransferState,
    peer: row.peerId,
    member: row.memberId,
    grantId: row.grantId,
    agreementId: row.agreementId,
    consumerPid: row.consumerPid,
    providerPid: row.side === 'provider' ? row.id : row.providerPid,
    format: row.format,
    callbackAddress: row.callbackAddress,
    suspendedBy: (row.suspendedBy as TransferParty | null) ?? null,
    into: row.intoDataset,
    // The token in a data address is the member's to use: only the member on whose behalf it was got sees it.
    dataAddress:
      row.side === 'consumer' && row.memberId === viewer
        ? ((row.dataAddress as Record<string, unknown> | null) ?? null)
        : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const illegal = (row: Pick<DspTransfer, 'id' | 'state'>, reason: string) =>
  conflict(
    'DSP.ILLEGAL_TRANSITION',
    reason,
    `Read the transfer's state (GET /dsp/transfers/${row.id}) and send a message its state allows`,
  );

/**
 * The Dataspace Protocol transfer process on both sides, one guarded machine (libs/domain transferMove) over
 * `clearing.dsp_transfers`. Provider side: a transfer is the use of a grant the peer holds; a start issues a
 * dataset token bound to the transfer (TokensService.transferToken) and announces `transfer.changed`, which
 * the exchange follows to honour that token only while the transfer is started and to end its streams the
 * moment it is not. Grant moves reach the grant's transfers in the grant's own transaction (GrantTransitionHooks).
 * Consumer side: a member's transfer at a peer; a start's data address is kept and, with `into`, what it
 * points at is delivered into the member's dataset (TransferDelivery). Every move is on the audit chain, and
 * every message to the peer is written to the callback outbox, in the transaction of the move.
 */
@Injectable()
export class DspTransfersService implements OnModuleInit {
  constructor(
    @Inject(PrismaClient) private readonly prisma: PrismaClient,
    @Inject(OutboxRelay) private readonly outbox: OutboxRelay,
    @Inject(TokensService) private readonly tokens: TokensService,
    @Inject(GrantTransitionHooks) private readonly grantHooks: GrantTransitionHooks,
    @Inject(DspCallbacks) private readonly callbacks: DspCallbacks,
    @Inject(DspPeers) private readonly peers: DspPeers,
    @Inject(DspSettings) private readonly dsp: DspSettings,
    @Inject(ClearingSettings) private readonly settings: ClearingSettings,
    @Inject(TransferDelivery) private readonly delivery: TransferDelivery,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.grantHooks.add((tx, change) => this.onGrantTransition(tx, change));
    this.callbacks.handle('transfer', {
      answered: (id, answer, url) => this.answered(id, answer, url),
      dead: (id, error, url) => this.died(id, error, url),
    });
  }

  // ------------------------------------------------------------------------------------ DSP: provider side

  /**
   * A peer asks to use an agreement (a grant it holds). Idempotent by its consumer pid: a repeated request
   * answers the process it created. The grant decides what follows (see onTransferRequest), in the same
   * transaction; its messages leave through the outbox after this answer.
   */
  async request(
    caller: Principal,
    msg: TransferRequestMessage,
    reply?: { raw: NodeJS.EventEmitter },
  ): Promise<ReturnType<typeof transferProcess>> {
    const peerId = caller.participantId;
    const existing = await this.prisma.dspTransfer.findFirst({
      where: { side: 'provider', peerId, consumerPid: msg.consumerPid },
    });
    if (existing) return { ...transferProcess(existing), state: 'REQUESTED' as TransferState };
    if (!isTransferFormat(msg.format)) {
      throw badRequest(
        'TRANSFER.FORMAT_UNSUPPORTED',
        `The format '${msg.format.slice(0, 100)}' is not one this connector offers`,
        [{ path: '/format', message: 'HttpData-PULL or Renkei-NDJSON-STREAM' }],
      );
    }
    checkOutgoingUrl(msg.callbackAddress, this.dsp);
    const grant = await this.agreementOf(peerId, msg.agreementId);
    const now = this.clock.now();
    const id = randomUUID();
    // Before the messages are written: they carry the hold (every replica's dispatcher respects it).
    if (reply) this.callbacks.holdUntilAnswered(id, reply);
    try {
      await this.prisma.$transaction(async (tx) => {
        const row = await tx.dspTransfer.create({
          data: {
            id,
            side: 'provider',
            state: 'REQUESTED',
            peerId,
            memberId: grant.originatorId,
            grantId: grant.id,
            agreementId: grant.id,
            consumerPid: msg.consumerPid,
            providerPid: id,
            callbackAddress: msg.callbackAddress,
            format: msg.format,
            createdAt: now,
            updatedAt: now,
          },
        });
        await auditDspChange(tx, 'transfer', {
          processId: id,
          side: 'provider',
          from: null,
          to: 'REQUESTED',
          providerPid: id,
          consumerPid: msg.consumerPid,
          grantId: grant.id,
          dataset: grant.dataset,
          actorId: peerId,
          cause: 'TransferRequestMessage',
          reason: null,
          at: now,
        });
        const reaction = onTransferRequest(grant.state as GrantState);
        if (reaction === 'wait') return;
        await this.moveIn(tx, row, reaction === 'start' ? 'start' : 'termination', {
          by: 'provider',
          actorId: CLEARING_ACTOR,
          cause: `grant ${grant.state}`,
          reason: reaction === 'start' ? null : `The agreement (grant) is ${grant.state}`,
        });
        // The peer learns our pid from the answer and must have taken it in before our first message
        // arrives (a TCK under load refused a start 60 ms after the answer with 409): it waits a little longer.
        await tx.dspCallback.updateMany({
          where: { processKind: 'transfer', processId: id, sentAt: null },
          data: { nextAttemptAt: new Date(Date.now() + FIRST_MESSAGE_DELAY_MS) },
        });
      });
    } catch (error) {
      // The same request twice at once: the second answers the process the first created.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        const row = await this.prisma.dspTransfer.findFirst({
          where: { side: 'provider', peerId, consumerPid: msg.consumerPid },
        });
        if (row) return { ...transferProcess(row), state: 'REQUESTED' as TransferState };
      }
      throw error;
    }
    await this.afterCommit();
    return transferProcess({
      id,
      side: 'provider',
      consumerPid: msg.consumerPid,
      providerPid: id,
      state: 'REQUESTED',
    });
  }

  /** The grant a peer names as agreement, if it holds it; anything else answers alike and says nothing. */
  private async agreementOf(peerId: string, agreementId: string): Promise<GrantRow> {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    const grant = uuid.test(agreementId)
      ? await this.prisma.grant.findUnique({ where: { id: agreementId } })
      : null;
    if (!grant || grant.consumerId !== peerId) {
      const error = badRequest(
        'TRANSFER.UNKNOWN_AGREEMENT',
        'The agreement id names no agreement between this connector and you',
        [{ path: '/agreementId', message: 'not an agreement of yours' }],
      );
      // Someone else's agreement is recorded as a refusal; the answer is the same as for a missing one.
      throw grant ? concealing(error, { type: 'grant', id: grant.id }) : error;
    }
    return grant;
  }

  // ------------------------------------------------------------------------------------ DSP: both sides

  /** A peer's message about a process it is party to (our pid in the path), on either side. */
  async receive(
    caller: Principal,
    pid: string,
    message: TransferMessage,
    body: {
      providerPid: string;
      consumerPid: string;
      reason?: unknown[];
      code?: unknown;
      dataAddress?: unknown;
    },
    reply?: { raw: NodeJS.EventEmitter },
  ): Promise<ReturnType<typeof transferProcess>> {
    const row = await this.processOf(caller, pid);
    const side = row.side as Side;
    // The pids in the body must be this process's (the consumer's, and on the consumer side the provider's once known).
    if (body.consumerPid !== row.consumerPid || (side === 'provider' && body.providerPid !== row.id)) {
      throw badRequest('DSP.INVALID_MESSAGE', 'The pids in the message are not those of this transfer', [
        { path: '/consumerPid', message: 'must name this transfer process' },
      ]);
    }
    const reason = reasonText(body.reason, body.code as string | number | undefined);
    if (reply) this.callbacks.holdUntilAnswered(row.id, reply);
    const updated = await this.prisma.$transaction(async (tx) => {
      const locked = await this.lock(tx, row.id);
      return this.moveIn(tx, locked, message, {
        by: otherSide(side),
        actorId: caller.participantId,
        cause: messageTypes[message],
        reason,
        ...(side === 'consumer' && message === 'start'
          ? { dataAddress: (body.dataAddress as Record<string, unknown> | undefined) ?? null }
          : {}),
        ...(side === 'consumer' ? { providerPid: body.providerPid } : {}),
      });
    });
    await this.afterCommit();
    this.delivery.follow(updated);
    return transferProcess(updated);
  }

  async get(caller: Principal, pid: string) {
    return transferProcess(await this.processOf(caller, pid, 'read'));
  }

  /** Our process `pid` if the caller is its peer; anything else answers like an unknown process. */
  private async processOf(
    caller: Principal,
    pid: string,
    use: 'move' | 'read' = 'move',
  ): Promise<DspTransfer> {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    const row = uuid.test(pid) ? await this.prisma.dspTransfer.findUnique({ where: { id: pid } }) : null;
    if (!row || row.peerId !== caller.participantId) {
      const error = notFound(
        'DSP.UNKNOWN_PROCESS',
        `No transfer process ${pid.slice(0, 100)} that you are a party to`,
        use === 'read' ? 'Use the pid from the answer to your request' : undefined,
      );
      throw row ? concealing(error, { type: 'dsp-transfer', id: row.id }) : error;
    }
    return row;
  }

  // ------------------------------------------------------------------------------------ management API

  async list(actor: Principal, query: ListTransfers): Promise<TransferDto[]> {
    const rows = await this.prisma.dspTransfer.findMany({
      where: {
        memberId: actor.participantId,
        ...(query.side ? { side: query.side } : {}),
        ...(query.grantId ? { grantId: query.grantId } : {}),
        ...(query.state ? { state: query.state } : {}),
      },
      orderBy: { createdAt: 'desc' },
      take: 500,
    });
    return rows.map((r) => toDto(r, actor.participantId));
  }

  async getOwn(actor: Principal, id: string): Promise<TransferDto> {
    return toDto(await this.ownOf(actor, id), actor.participantId);
  }

  /** A transfer of the caller's own side (the originator's, or the member's on whose behalf it was asked). */
  private async ownOf(actor: Principal, id: string, db: Pick<PrismaClient, 'dspTransfer'> = this.prisma) {
    const row = await db.dspTransfer.findUnique({ where: { id } });
    if (!row || row.memberId !== actor.participantId) {
      const error = notFound('TRANSFER.NOT_FOUND', `No transfer ${id} of yours`);
      throw row ? concealing(error, { type: 'dsp-transfer', id }) : error;
    }
    return row;
  }

  /** The originator (provider side) or the member (consumer side) moves its side of a transfer. */
  async move(
    actor: Principal,
    id: string,
    message: TransferMessage,
    reason: string | null,
  ): Promise<TransferDto> {
    await this.ownOf(actor, id);
    const row = await this.prisma.$transaction(async (tx) => {
      const locked = await this.lock(tx, id);
      return this.moveIn(tx, locked, message, {
        by: locked.side as Side,
        actorId: actor.participantId,
        cause: `member ${message}`,
        reason,
      });
    });
    await this.afterCommit();
    this.delivery.follow(row);
    return toDto(row, actor.participantId);
  }

  /**
   * A member asks a peer for a transfer (consumer side): the process is created REQUESTED and the
   * TransferRequestMessage leaves through the outbox; the provider pid comes with the answer or with the
   * provider's first message.
   */
  async create(actor: Principal, input: CreateTransfer): Promise<TransferDto> {
    const peer = await this.peers.get(input.peer);
    const address = (input.connectorAddress ?? peer.address).replace(/\/+$/, '');
    checkOutgoingUrl(address, this.dsp);
    if (input.into)
      await this.delivery.assertInto(actor.participantId, input.into, input.agreementId, input.peer);
    const id = randomUUID();
    const now = this.clock.now();
    const row = await this.prisma.$transaction(async (tx) => {
      const created = await tx.dspTransfer.create({
        data: {
          id,
          side: 'consumer',
          state: 'REQUESTED',
          peerId: peer.participantId,
          memberId: actor.participantId,
          grantId: null,
          agreementId: input.agreementId,
          consumerPid: id,
          providerPid: null,
          callbackAddress: address,
          format: input.format,
          intoDataset: input.into ?? null,
          createdAt: now,
          updatedAt: now,
        },
      });
      await auditDspChange(tx, 'transfer', {
        processId: id,
        side: 'consumer',
        from: null,
        to: 'REQUESTED',
        providerPid: null,
        consumerPid: id,
        grantId: null,
        dataset: input.into ?? null,
        actorId: actor.participantId,
        cause: 'member request',
        reason: null,
        at: now,
      });
      // The answer names the provider pid (see answered()).
      await this.callbacks.enqueue(
        tx,
        processOf(created),
        'transfers/request',
        dspMessage('TransferRequestMessage', {
          consumerPid: id,
          agreementId: input.agreementId,
          format: input.format,
          callbackAddress: protocolUrl(this.dsp),
        }),
      );
      return created;
    });
    await this.afterCommit();
    return toDto(row, actor.participantId);
  }

  // ------------------------------------------------------------------------------------ the machine

  private async lock(tx: Tx, id: string): Promise<DspTransfer> {
    await tx.$executeRaw`SELECT 1 FROM clearing.dsp_transfers WHERE id = ${id}::uuid FOR UPDATE`;
    return tx.dspTransfer.findUniqueOrThrow({ where: { id } });
  }

  /**
   * One guarded move of a (locked) transfer inside the caller's transaction: the guard (409 when the state
   * does not allow it), on the provider side the token of a start and the `transfer.changed` event, the
   * row, the audit entry, and — when our side makes the move — the message to the peer in the outbox.
   */
  private async moveIn(
    tx: Tx,
    row: DspTransfer,
    message: TransferMessage,
    input: MoveInput,
  ): Promise<DspTransfer> {
    const side = row.side as Side;
    const from = row.state as TransferState;
    if (!isTransferState(from)) throw illegal(row, `The transfer is in an unknown state '${row.state}'`);
    const move = transferMove(from, message, input.by, (row.suspendedBy as TransferParty | null) ?? null);
    if (!move.ok) throw illegal(row, move.reason);
    const now = this.clock.now();
    let to: TransferState = move.to;
    let reason = input.reason;
    let tokenId: string | null = null;
    let dataAddress: Record<string, unknown> | null = null;
    let grant: GrantRow | null = null;
    if (side === 'provider') {
      grant = await tx.grant.findUniqueOrThrow({ where: { id: row.grantId! } });
      if (to === 'STARTED') {
        if (grant.state !== 'granted') {
          throw illegal(row, `The agreement (grant) is ${grant.state}: the transfer cannot start`);
        }
        const token = await this.tokens.transferToken(tx, grantView(grant), row.id, now);
        if (token.allow) {
          tokenId = token.jti;
          dataAddress = transferDataAddress(
            transferEndpoint(this.settings.exchangeUrl, grant.dataset, row.format as never),
            token.token,
            token.expiresIn,
          );
        } else {
          // The policy refuses the token (e.g. the peer was suspended): the transfer ends, saying why.
          to = 'TERMINATED';
          reason = `No token may be issued: ${token.reason}`;
          message = 'termination';
        }
      }
    }
    const updated = await tx.dspTransfer.update({
      where: { id: row.id },
      data: {
        state: to,
        suspendedBy: to === 'SUSPENDED' ? input.by : to === 'STARTED' ? null : row.suspendedBy,
        updatedAt: now,
        ...(input.providerPid && !row.providerPid ? { providerPid: input.providerPid } : {}),
        ...(input.dataAddress !== undefined
          ? { dataAddress: input.dataAddress ? asJson(input.dataAddress) : Prisma.DbNull }
          : {}),
      },
    });
    await auditDspChange(tx, 'transfer', {
      processId: row.id,
      side,
      from,
      to,
      providerPid: side === 'provider' ? row.id : (updated.providerPid ?? null),
      consumerPid: row.consumerPid,
      grantId: row.grantId,
      dataset: grant?.dataset ?? row.intoDataset ?? null,
      actorId: input.actorId,
      cause: input.cause,
      reason,
      at: now,
    });
    if (side === 'provider' && grant) {
      const view: TransferView = {
        id: row.id,
        grantId: grant.id,
        dataset: grant.dataset,
        consumer: grant.consumerId,
        state: to,
        tokenId,
        changedAt: now.toISOString(),
      };
      await emitClearingEvent(
        tx,
        { type: 'transfer.changed', transfer: view, reason },
        grant.id,
        now,
        input.actorId,
      );
    }
    // Our own move is told to the peer; a move the peer made needs no answer beyond the HTTP one, except a
    // consumer's restart of a transfer it suspended: the provider sends the new data address (new token)
    // as for its own start, or the termination that replaced the start.
    const restartedByConsumer = side === 'provider' && input.by === 'consumer' && move.to === 'STARTED';
    if (input.by === side || restartedByConsumer) {
      await this.tell(tx, updated, message, reason, dataAddress);
    }
    return updated;
  }

  /** The message of our move, to the peer, in the outbox (sent in order after this transaction). */
  private async tell(
    tx: Tx,
    row: DspTransfer,
    message: TransferMessage,
    reason: string | null,
    dataAddress: Record<string, unknown> | null,
  ): Promise<void> {
    const side = row.side as Side;
    const providerPid = side === 'provider' ? row.id : row.providerPid;
    if (!providerPid) {
      throw illegal(row, 'The provider has not named its pid yet: wait for its answer, then move');
    }
    const remotePid = side === 'provider' ? row.consumerPid : providerPid;
    const members: Record<string, unknown> = { providerPid, consumerPid: row.consumerPid };
    if (message === 'start' && dataAddress) members.dataAddress = dataAddress;
    if (message === 'suspension' || message === 'termination') {
      members.code = message === 'termination' ? 'TERMINATED' : 'SUSPENDED';
      members.reason = [reason ?? (message === 'termination' ? 'Terminated' : 'Suspended')];
    }
    await this.callbacks.enqueue(
      tx,
      processOf(row),
      `transfers/${pathSegment(remotePid)}/${message}`,
      dspMessage(messageTypes[message], members),
    );
  }

  /** A grant's move reaches its transfers (provider side), in the grant's transaction. */
  private async onGrantTransition(tx: Tx, change: GrantTransition): Promise<void> {
    const rows = await tx.dspTransfer.findMany({
      where: {
        side: 'provider',
        grantId: change.grant.id,
        state: { in: ['REQUESTED', 'STARTED', 'SUSPENDED'] },
      },
      orderBy: { createdAt: 'asc' },
    });
    for (const row of rows) {
      const locked = await this.lock(tx, row.id);
      const message = onGrantMove(
        change.to,
        locked.state as TransferState,
        (locked.suspendedBy as TransferParty | null) ?? null,
      );
      if (!message) continue;
      await this.moveIn(tx, locked, message, {
        by: 'provider',
        actorId: change.actorId,
        cause: `grant ${change.to}`,
        reason: change.reason ?? `The agreement (grant) is ${change.to}`,
      });
    }
  }

  /**
   * After a commit: the events on Kafka (the exchange ends streams at once), and the messages on their way;
   * those of a peer's message wait until our answer to it has been written (held before they were written).
   */
  private async afterCommit(): Promise<void> {
    await this.outbox.flush();
    this.callbacks.kick();
  }

  /** The peer answered one of our messages: the answer to a request names the provider pid. */
  private async answered(id: string, answer: PeerAnswer, url: string): Promise<void> {
    if (!url.endsWith('/transfers/request')) return;
    const body = answer.json as { providerPid?: unknown } | undefined;
    const providerPid = typeof body?.providerPid === 'string' ? body.providerPid.slice(0, 512) : null;
    if (!providerPid) return;
    await this.prisma.dspTransfer.updateMany({
      where: { id, side: 'consumer', providerPid: null },
      data: { providerPid, updatedAt: this.clock.now() },
    });
  }

  /** A message of ours will never reach the peer: a request that died ends the transfer here. */
  private async died(id: string, error: string, url: string): Promise<void> {
    if (!url.endsWith('/transfers/request')) return;
    const row = await this.prisma.$transaction(async (tx) => {
      const locked = await this.lock(tx, id);
      if (locked.state !== 'REQUESTED') return locked;
      const now = this.clock.now();
      const updated = await tx.dspTransfer.update({
        where: { id },
        data: { state: 'TERMINATED', updatedAt: now },
      });
      await auditDspChange(tx, 'transfer', {
        processId: id,
        side: 'consumer',
        from: 'REQUESTED',
        to: 'TERMINATED',
        providerPid: locked.providerPid,
        consumerPid: locked.consumerPid,
        grantId: null,
        dataset: locked.intoDataset,
        actorId: CLEARING_ACTOR,
        cause: 'request undeliverable',
        reason: error.slice(0, 300),
        at: now,
      });
      return updated;
    });
    this.delivery.follow(row);
  }
}

const processOf = (row: DspTransfer): CallbackProcess => ({
  kind: 'transfer',
  id: row.id,
  peerId: row.peerId,
  callbackAddress: row.callbackAddress,
});
