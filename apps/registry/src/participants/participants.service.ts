import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  assertLegalIdentifiers,
  conflict,
  forbidden,
  notFound,
  type Certification,
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

/** What is stored per attested certification (certification_terms). */
type StoredTerms = Partial<Record<Certification, { evidence: string | null; expiresAt: string | null }>>;

const termsOf = (p: ParticipantRow): StoredTerms => (p.certificationTerms ?? {}) as StoredTerms;

/** The names and stored terms of an attested list (names alone, or with evidence and expiry). */
function attested(list: Attestations['certifications']): { names: Certification[]; terms: StoredTerms } {
  const terms: StoredTerms = {};
  const names = list.map((c) => {
    if (typeof c === 'string') return c;
    if (c.evidence !== null || c.expiresAt !== null) {
      terms[c.certification] = {
        evidence: c.evidence,
        expiresAt: c.expiresAt ? new Date(c.expiresAt).toISOString() : null,
      };
    }
    return c.certification;
  });
  return { names, terms };
}

export function toView(p: ParticipantRow): ParticipantView {
  const expiry: Partial<Record<Certification, string>> = {};
  for (const [name, t] of Object.entries(termsOf(p))) {
    if (t?.expiresAt) expiry[name as Certification] = t.expiresAt;
  }
  return {
    id: p.id,
    legalName: p.legalName,
    industry: p.industry,
    country: p.country,
    roles: p.roles as ParticipantRole[],
    status: p.status as ParticipantView['status'],
    certifications: p.certifications as ParticipantView['certifications'],
    protection: p.protection as ParticipantView['protection'],
    ...(Object.keys(expiry).length > 0 ? { certificationExpiry: expiry } : {}),
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
    certificationDetails: (p.certifications as Certification[]).map((certification) => {
      const t = termsOf(p)[certification];
      const expiresAt = t?.expiresAt ?? null;
      return {
        certification,
        evidence: t?.evidence ?? null,
        expiresAt,
        expired: expiresAt !== null && Date.parse(expiresAt) <= Date.now(),
      };
    }),
    status: p.status as ParticipantDto['status'],
    offboardedAt: p.offboardedAt?.toISOString() ?? null,
    offboardReason: p.offboardReason,
    jwks: p.jwks as ParticipantDto['jwks'],
    createdAt: p.createdAt.toISOString(),
  };
}

/** Offboarding is final: nothing about an offboarded participant changes any more. */
function assertNotOffboarded(p: ParticipantRow) {
  if (p.status === 'offboarded') {
    throw conflict(
      'PARTICIPANT.OFFBOARDED',
      `Participant ${p.id} is offboarded${p.offboardedAt ? ` since ${p.offboardedAt.toISOString()}` : ''}`,
      'Offboarding is final: its record stays as it was offboarded, for the audit',
    );
  }
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
    const certifications = attested(input.certifications);
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
            certifications: certifications.names,
            certificationTerms: certifications.terms,
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
      assertNotOffboarded(existing);
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
      assertNotOffboarded(existing);
      const { names, terms } = attested(input.certifications);
      const row = await tx.participant.update({
        where: { id },
        data: {
          certifications: names,
          certificationTerms: terms,
          protection: input.protection,
        },
      });
      await this.emit(tx, { type: 'participant.upserted', participant: toView(row) }, row.id, actor);
      return row;
    });
    await this.outbox.flush();
    return toDto(updated);
  }

  /**
   * Offboards a participant, for good: status `offboarded` (every later decision about it is a deny, as for
   * a suspended one, and it can never be reactivated). The `participant.upserted` event carries the status;
   * clearing revokes every live grant the participant is party to when it reads it. Offboarding an
   * offboarded participant changes nothing and answers its record.
   */
  async offboard(actor: Principal, id: string, reason: string): Promise<ParticipantDto> {
    const updated = await this.prisma.$transaction(async (tx) => {
      // Row lock: two admins offboarding at once record one offboarding.
      await tx.$executeRaw`SELECT 1 FROM registry.participants WHERE id = ${id}::uuid FOR UPDATE`;
      const existing = await tx.participant.findUnique({ where: { id } });
      if (!existing) throw notFound('PARTICIPANT.NOT_FOUND', `No participant ${id}`);
      if (existing.status === 'offboarded') return null;
      const row = await tx.participant.update({
        where: { id },
        data: { status: 'offboarded', offboardedAt: new Date(), offboardReason: reason },
      });
      await this.emit(tx, { type: 'participant.upserted', participant: toView(row) }, row.id, actor);
      return row;
    });
    if (!updated) return toDto(await this.prisma.participant.findUniqueOrThrow({ where: { id } }));
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
