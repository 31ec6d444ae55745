import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CLOCK, type Clock, type PersonConsentView, type PlatformEvent } from '#libs/domain';
import type { Principal } from '#libs/auth';
import { asJson, type Prisma, type PrismaClient } from '#libs/persistence';
import type { OutboxRelay } from '#libs/kafka';
import { appendAudit } from '../audit/audit-log.js';
import { emitClearingEvent } from '../clearing-events.js';
import { OUTBOX, PRISMA } from '../clearing.tokens.js';
import { DatasetOwners } from '../datasets/dataset-owners.js';
import { parseFhirConsents, type ParsedConsent } from './fhir-consent.js';

type ConsentRow = Awaited<ReturnType<PrismaClient['personConsent']['findUniqueOrThrow']>>;

export const toConsentView = (r: ConsentRow): PersonConsentView => ({
  originator: r.originatorId,
  subjectRef: r.subjectRef,
  dataset: r.dataset,
  decision: r.decision as PersonConsentView['decision'],
  purposes: r.purposes,
  validFrom: r.validFrom?.toISOString() ?? null,
  validUntil: r.validUntil?.toISOString() ?? null,
  recordedAt: r.recordedAt.toISOString(),
});

/**
 * Writes person consents (records of one originator), each with its audit entry and its event, in the
 * caller's transaction. The exchange applies the event before its next delivery: an opt-out takes effect
 * from the next record delivered.
 */
export async function recordPersonConsents(
  tx: Prisma.TransactionClient,
  originatorId: string,
  consents: ParsedConsent[],
  actorId: string,
  at: Date,
): Promise<PersonConsentView[]> {
  const views: PersonConsentView[] = [];
  for (const c of consents) {
    const data = {
      decision: c.decision,
      purposes: c.purposes,
      validFrom: c.validFrom ? new Date(c.validFrom) : null,
      validUntil: c.validUntil ? new Date(c.validUntil) : null,
      fhirId: c.fhirId,
      source: asJson(c.source),
      recordedAt: at,
    };
    const row = await tx.personConsent.upsert({
      where: {
        originatorId_subjectRef_dataset: { originatorId, subjectRef: c.subjectRef, dataset: c.dataset },
      },
      create: { id: randomUUID(), originatorId, subjectRef: c.subjectRef, dataset: c.dataset, ...data },
      update: data,
    });
    const view = toConsentView(row);
    views.push(view);
    const event: PlatformEvent = { type: 'person-consent.changed', consent: view };
    await emitClearingEvent(tx, event, `${originatorId} ${c.subjectRef}`, at, actorId);
  }
  // The audit record names the person only by the pseudonymous reference the originator uses.
  await appendAudit(
    tx,
    views.map((v) => ({
      kind: 'consent.person' as const,
      at,
      actorId,
      dataset: v.dataset === '*' ? null : v.dataset,
      grantId: null,
      allow: null,
      payload: v,
    })),
  );
  return views;
}

@Injectable()
export class ConsentsService {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(OUTBOX) private readonly outbox: OutboxRelay,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(DatasetOwners) private readonly owners: DatasetOwners,
  ) {}

  /** Person consents are the originator's records: only for its own datasets, or '*' for all of them. */
  private assertDatasets(actor: Principal, named: { dataset: string; path: string }[]) {
    return this.owners.assertOwner(actor, named, {
      action: 'record consents for it',
      allowAll: true,
      othersAs: 'not-found',
    });
  }

  async importFhir(actor: Principal, body: unknown) {
    const consents = parseFhirConsents(body);
    await this.assertDatasets(
      actor,
      consents.map((c) => ({ dataset: c.dataset, path: c.datasetPath ?? '/extension' })),
    );
    const at = this.clock.now();
    const views = await this.prisma.$transaction((tx) =>
      recordPersonConsents(tx, actor.participantId, consents, actor.participantId, at),
    );
    await this.outbox.flush();
    return { recorded: views.length, consents: views };
  }

  async optOut(actor: Principal, subjectRef: string, dataset: string) {
    await this.assertDatasets(actor, [{ dataset, path: '/dataset' }]);
    const at = this.clock.now();
    const [view] = await this.prisma.$transaction((tx) =>
      recordPersonConsents(
        tx,
        actor.participantId,
        [
          {
            subjectRef,
            dataset,
            decision: 'deny',
            purposes: [],
            validFrom: null,
            validUntil: null,
            fhirId: null,
            source: { recordedBy: 'renkei', kind: 'opt-out' },
          },
        ],
        actor.participantId,
        at,
      ),
    );
    await this.outbox.flush();
    return view;
  }

  /** An originator's own records only. */
  async list(actor: Principal, subjectRef: string | undefined) {
    const rows = await this.prisma.personConsent.findMany({
      where: { originatorId: actor.participantId, ...(subjectRef ? { subjectRef } : {}) },
      orderBy: [{ subjectRef: 'asc' }, { dataset: 'asc' }],
      take: 1000,
    });
    return rows.map(toConsentView);
  }
}
