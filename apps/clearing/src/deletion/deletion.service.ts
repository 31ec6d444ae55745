import { Inject, Injectable } from '@nestjs/common';
import {
  CLOCK,
  PlatformProjection,
  concealing,
  conflict,
  forbidden,
  notFound,
  type Clock,
} from '@renkei/domain';
import type { Principal } from '@renkei/auth';
import { PrismaClient, asJson, type DeletionObligationModel } from '@renkei/persistence';
import { syncFor, type ProjectionSync } from '@renkei/policy';
import { appendAudit } from '../audit/audit-log.js';
import { PROJECTION_SYNC } from '../core/clearing-core.module.js';
import { verifyDeletionReceipt } from './deletion-receipt.js';
import type { DeletionObligationDto, ListObligations, OverdueQuery, ReceiptBody } from './deletion.dto.js';
import { DAY_MS, deletionEntry, toObligationDto } from './obligations.js';

@Injectable()
export class DeletionService {
  constructor(
    @Inject(PrismaClient) private readonly prisma: PrismaClient,
    @Inject(PlatformProjection) private readonly state: PlatformProjection,
    @Inject(PROJECTION_SYNC) private readonly sync: ProjectionSync,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The caller's obligations: what it must delete (consumer) and what others must delete of its data. */
  async list(actor: Principal, query: ListObligations): Promise<DeletionObligationDto[]> {
    const me = actor.participantId;
    const party =
      query.role === 'consumer'
        ? { consumerId: me }
        : query.role === 'originator'
          ? { originatorId: me }
          : { OR: [{ consumerId: me }, { originatorId: me }] };
    const rows = await this.prisma.deletionObligation.findMany({
      where: {
        AND: [
          party,
          query.status ? { status: query.status } : {},
          query.dataset ? { dataset: query.dataset } : {},
          query.grant ? { grantId: query.grant } : {},
        ],
      },
      orderBy: { dueAt: 'asc' },
      take: 500,
    });
    return rows.map(toObligationDto);
  }

  async get(actor: Principal, id: string): Promise<DeletionObligationDto> {
    return toObligationDto(await this.visible(this.prisma, actor, id));
  }

  /** Every obligation flagged to compliance, across participants. */
  async overdue(query: OverdueQuery): Promise<DeletionObligationDto[]> {
    const rows = await this.prisma.deletionObligation.findMany({
      where: {
        flaggedAt: { not: null },
        ...(query.status === 'any' ? {} : { status: query.status }),
        ...(query.consumer ? { consumerId: query.consumer } : {}),
        ...(query.dataset ? { dataset: query.dataset } : {}),
      },
      orderBy: { dueAt: 'asc' },
      take: query.limit,
    });
    return rows.map(toObligationDto);
  }

  /**
   * The consumer confirms deletion with a receipt signed by its own key. A receipt after the deadline is
   * accepted, and the obligation stays flagged as late.
   */
  async confirm(actor: Principal, id: string, body: ReceiptBody): Promise<DeletionObligationDto> {
    const obligation = await this.visible(this.prisma, actor, id);
    this.assertConsumer(actor, obligation);
    this.assertOpen(obligation);
    const grant = await this.prisma.grant.findUniqueOrThrow({ where: { id: obligation.grantId } });
    // A key the consumer registered (or retired) a moment ago is known before we check the signature.
    await syncFor(this.sync);
    const jwks = this.state.participants.get(obligation.consumerId)?.jwks ?? { keys: [] };
    const now = this.clock.now();
    const verified = await verifyDeletionReceipt(
      body.receipt,
      {
        obligationId: obligation.id,
        consumerId: obligation.consumerId,
        grantId: obligation.grantId,
        dataset: obligation.dataset,
        endedAt: new Date(obligation.dueAt.getTime() - grant.deletionDays * DAY_MS),
      },
      jwks,
      now,
    );
    const updated = await this.prisma.$transaction(async (tx) => {
      // Serialised with the overdue sweep and with a concurrent confirmation of the same obligation.
      await tx.$executeRaw`SELECT 1 FROM clearing.deletion_obligations WHERE id = ${id}::uuid FOR UPDATE`;
      const current = await tx.deletionObligation.findUniqueOrThrow({ where: { id } });
      this.assertOpen(current);
      const late = now.getTime() > current.dueAt.getTime();
      const row = await tx.deletionObligation.update({
        where: { id },
        data: {
          status: 'confirmed',
          receipt: body.receipt,
          receiptClaims: asJson(verified.claims),
          confirmedAt: now,
          // The compliance record keeps that it came late, even if the sweep had not flagged it yet.
          ...(late && !current.flaggedAt ? { flaggedAt: now } : {}),
        },
      });
      await appendAudit(tx, [
        deletionEntry('deletion.receipt', now, actor.participantId, row, {
          obligationId: row.id,
          consumer: row.consumerId,
          originator: row.originatorId,
          dueAt: row.dueAt.toISOString(),
          late,
          kid: verified.kid,
          claims: verified.claims,
          receipt: body.receipt,
        }),
      ]);
      return row;
    });
    return toObligationDto(updated);
  }

  private assertConsumer(actor: Principal, obligation: DeletionObligationModel): void {
    if (obligation.consumerId !== actor.participantId) {
      throw forbidden(
        'DELETION.NOT_CONSUMER',
        'Only the consumer that received the data confirms its deletion',
        'The originator follows the obligation with GET /deletion-obligations/{id}',
      );
    }
  }

  private assertOpen(obligation: DeletionObligationModel): void {
    if (obligation.status === 'confirmed') {
      throw conflict(
        'DELETION.ALREADY_CONFIRMED',
        `Deletion obligation ${obligation.id} was already confirmed on ${obligation.confirmedAt?.toISOString() ?? 'an earlier date'}`,
        'Read the stored receipt with GET /deletion-obligations/{id}',
      );
    }
  }

  private async visible(
    db: Pick<PrismaClient, 'deletionObligation'>,
    actor: Principal,
    id: string,
  ): Promise<DeletionObligationModel> {
    const obligation = await db.deletionObligation.findUnique({ where: { id } });
    // Someone else's obligation is indistinguishable from a missing one.
    if (
      !obligation ||
      (obligation.consumerId !== actor.participantId && obligation.originatorId !== actor.participantId)
    ) {
      const error = notFound(
        'DELETION.NOT_FOUND',
        `No deletion obligation ${id} that you are a party to`,
        'List yours with GET /deletion-obligations',
      );
      throw obligation ? concealing(error, { type: 'deletion-obligation', id }) : error;
    }
    return obligation;
  }
}
