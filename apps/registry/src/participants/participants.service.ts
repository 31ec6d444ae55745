import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  assertLegalIdentifiers,
  conflict,
  forbidden,
  notFound,
  type ParticipantRole,
  type ParticipantView,
  type PlatformEvent,
} from '@renkei/domain';
import type { Principal } from '@renkei/auth';
import { Prisma, PrismaClient } from '@renkei/persistence';
import { emitRegistryEvent } from '../registry-events.js';
import { OutboxRelay } from '@renkei/kafka';
import type { Attestations, OnboardParticipant, ParticipantDto } from './participants.dto.js';

type ParticipantRow = Awaited<ReturnType<PrismaClient['participant']['findUniqueOrThrow']>>;

export function toView(p: ParticipantRow): ParticipantView {
  return {
    id: p.id,
    legalName: p.legalName,
    industry: p.industry,
    country: p.country,
    roles: p.roles as ParticipantRole[],
    status: p.status as ParticipantView['status'],
    certifications: p.certifications as ParticipantView['certifications'],
    protection: p.protection as ParticipantView['protection'],
    jwks: p.jwks as ParticipantView['jwks'],
  };
}

function toDto(p: ParticipantRow): ParticipantDto {
  return {
    id: p.id,
    legalName: p.legalName,
    corporateNumber: p.corporateNumber,
    lei: p.lei,
    bpn: p.bpn,
    industry: p.industry,
    country: p.country,
    // Stored from validated input: the column types are wider than what they hold.
    roles: p.roles as ParticipantDto['roles'],
    certifications: p.certifications as ParticipantDto['certifications'],
    protection: p.protection as ParticipantDto['protection'],
    status: p.status as ParticipantDto['status'],
    jwks: p.jwks as ParticipantDto['jwks'],
    createdAt: p.createdAt.toISOString(),
  };
}

@Injectable()
export class ParticipantsService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly outbox: OutboxRelay,
  ) {}

  async onboard(actor: Principal, input: OnboardParticipant): Promise<ParticipantDto> {
    assertLegalIdentifiers(input);
    const id = randomUUID();
    try {
      const created = await this.prisma.$transaction(async (tx) => {
        const row = await tx.participant.create({
          data: {
            id,
            legalName: input.legalName,
            corporateNumber: input.corporateNumber ?? null,
            lei: input.lei ?? null,
            bpn: input.bpn ?? null,
            industry: input.industry,
            country: input.country,
            roles: input.roles,
            certifications: input.certifications,
            protection: input.protection,
            status: 'active',
            jwks: input.jwks as Prisma.InputJsonValue,
          },
        });
        await this.emit(tx, { type: 'participant.upserted', participant: toView(row) }, row.id, actor);
        return row;
      });
      await this.outbox.flush();
      return toDto(created);
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw conflict(
          'PARTICIPANT.ALREADY_ONBOARDED',
          'A participant with this legal identifier is already onboarded',
          'Look it up with GET /participants',
        );
      }
      throw error;
    }
  }

  async setStatus(actor: Principal, id: string, status: 'active' | 'suspended'): Promise<ParticipantDto> {
    const updated = await this.prisma.$transaction(async (tx) => {
      const existing = await tx.participant.findUnique({ where: { id } });
      if (!existing) throw notFound('PARTICIPANT.NOT_FOUND', `No participant ${id}`);
      const row = await tx.participant.update({ where: { id }, data: { status } });
      await this.emit(tx, { type: 'participant.upserted', participant: toView(row) }, row.id, actor);
      return row;
    });
    await this.outbox.flush();
    return toDto(updated);
  }

  /** The admin attests certifications and protection level; the policies read them on every decision. */
  async attest(actor: Principal, id: string, input: Attestations): Promise<ParticipantDto> {
    const updated = await this.prisma.$transaction(async (tx) => {
      const existing = await tx.participant.findUnique({ where: { id } });
      if (!existing) throw notFound('PARTICIPANT.NOT_FOUND', `No participant ${id}`);
      const row = await tx.participant.update({
        where: { id },
        data: { certifications: input.certifications, protection: input.protection },
      });
      await this.emit(tx, { type: 'participant.upserted', participant: toView(row) }, row.id, actor);
      return row;
    });
    await this.outbox.flush();
    return toDto(updated);
  }

  async list(): Promise<ParticipantDto[]> {
    const rows = await this.prisma.participant.findMany({ orderBy: { createdAt: 'asc' } });
    return rows.map(toDto);
  }

  /** Admins see everyone; a member sees only itself (others' identities are not listed). */
  async get(actor: Principal, id: string): Promise<ParticipantDto> {
    if (!actor.scopes.has('participants:admin') && actor.participantId !== id) {
      throw forbidden('PARTICIPANT.NOT_VISIBLE', 'You may only read your own participant record');
    }
    const row = await this.prisma.participant.findUnique({ where: { id } });
    if (!row) throw notFound('PARTICIPANT.NOT_FOUND', `No participant ${id}`);
    return toDto(row);
  }

  private emit(tx: Prisma.TransactionClient, event: PlatformEvent, key: string, actor: Principal) {
    return emitRegistryEvent(tx, event, key, actor.participantId);
  }
}
