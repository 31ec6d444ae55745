import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  CLOCK,
  DomainError,
  MAX_CONSENTS_PER_PERSON,
  type Clock,
  type ConsentProvision,
  type PersonConsentView,
  type PlatformEvent,
} from '@renkei/domain';
import type { Principal } from '@renkei/auth';
import { PrismaClient, asJson, type Prisma } from '@renkei/persistence';
import { OutboxRelay } from '@renkei/kafka';
import { appendAudit } from '../audit/audit-log.js';
import { emitClearingEvent } from '../core/clearing-events.js';
import { personTags } from '../audit/person-tags.js';
import { DatasetOwners } from '../datasets/dataset-owners.js';
import { granteesOf, parseFhirConsents, type ParsedConsent } from './fhir-consent.js';

type ConsentRow = Awaited<ReturnType<PrismaClient['personConsent']['findUniqueOrThrow']>>;

export const toConsentView = (r: ConsentRow): PersonConsentView => ({
  originator: r.originatorId,
  subjectRef: r.subjectRef,
  consentId: r.consentKey,
  dataset: r.dataset,
  decision: r.decision as PersonConsentView['decision'],
  provisions: r.provisions as unknown as ConsentProvision[],
  validFrom: r.validFrom?.toISOString() ?? null,
  validUntil: r.validUntil?.toISOString() ?? null,
  recordedAt: r.recordedAt.toISOString(),
});

/** What Renkei itself records for a person (opt-out, erasure): a deny without exceptions. */
export function renkeiDeny(
  subjectRef: string,
  dataset: string,
  source: { kind: 'opt-out' | 'erasure'; reason?: string },
): ParsedConsent {
  return {
    subjectRef,
    consentId: `renkei:${source.kind}:${dataset}`,
    dataset,
    decision: 'deny',
    provisions: [],
    validFrom: null,
    validUntil: null,
    fhirId: null,
    source: { recordedBy: 'renkei', ...source },
  };
}

/**
 * Writes person consents (records of one originator), each with its audit entry and its event, in the
 * caller's transaction. A consent with the id of one already recorded for the person replaces it (an update
 * or a withdrawal); any other consent is added and combined with the ones in force (most restrictive
 * wins). The exchange applies the event before its next delivery: an opt-out takes effect from the next
 * record delivered.
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
      dataset: c.dataset,
      decision: c.decision,
      provisions: asJson(c.provisions),
      validFrom: c.validFrom ? new Date(c.validFrom) : null,
      validUntil: c.validUntil ? new Date(c.validUntil) : null,
      fhirId: c.fhirId,
      source: asJson(c.source),
      recordedAt: at,
    };
    const key = { originatorId, subjectRef: c.subjectRef, consentKey: c.consentId };
    // A row from before consent trees were kept is known to services' projections as `legacy:<dataset>`
    // (from its old event): its first new write withdraws that record, or the old reading would stay.
    const before = await tx.personConsent.findUnique({
      where: { originatorId_subjectRef_consentKey: key },
      select: { source: true },
    });
    const legacyDataset = (before?.source as { migratedFromDataset?: unknown } | null)?.migratedFromDataset;
    const row = await tx.personConsent.upsert({
      where: { originatorId_subjectRef_consentKey: key },
      create: { id: randomUUID(), ...key, ...data },
      update: data,
    });
    const view = toConsentView(row);
    views.push(view);
    const events: PlatformEvent[] = [{ type: 'person-consent.changed', consent: view }];
    if (typeof legacyDataset === 'string') {
      events.unshift({
        type: 'person-consent.changed',
        consent: { ...view, consentId: `legacy:${legacyDataset}`, decision: 'withdrawn', provisions: [] },
      });
    }
    for (const event of events) {
      await emitClearingEvent(tx, event, `${originatorId} ${c.subjectRef}`, at, actorId);
    }
  }
  // Evaluation stays bounded: a person has at most MAX_CONSENTS_PER_PERSON consents in force.
  const persons = [...new Set(consents.map((c) => c.subjectRef))];
  const crowded = await tx.personConsent.groupBy({
    by: ['subjectRef'],
    where: { originatorId, subjectRef: { in: persons }, decision: { not: 'withdrawn' } },
    _count: { _all: true },
    having: { subjectRef: { _count: { gt: MAX_CONSENTS_PER_PERSON } } },
  });
  if (crowded.length > 0) {
    throw new DomainError(
      'CONSENT.TOO_MANY',
      'unprocessable',
      `A person may have at most ${MAX_CONSENTS_PER_PERSON} consents in force; nothing was recorded`,
      {
        details: crowded.map((c) => ({ path: '/subject', message: `${c._count._all} consents in force` })),
        hint: 'Update or withdraw consents by their FHIR id instead of importing new ones',
      },
    );
  }
  // The audit chain names the person only by a keyed tag that erasure unlinks (audit/person-tags.ts).
  const tags = await personTags(
    tx,
    originatorId,
    views.map((v) => v.subjectRef),
  );
  await appendAudit(
    tx,
    views.map(({ subjectRef, consentId, ...v }) => {
      const person = tags.get(subjectRef)!;
      return {
        kind: 'consent.person' as const,
        at,
        actorId,
        dataset: v.dataset === '*' ? null : v.dataset,
        grantId: null,
        allow: null,
        // A FHIR id may embed the patient's id: it is tagged under the person's key too.
        payload: { ...v, subjectTag: person.tag, consentTag: person.value(consentId) },
      };
    }),
  );
  return views;
}

@Injectable()
export class ConsentsService {
  constructor(
    @Inject(PrismaClient) private readonly prisma: PrismaClient,
    @Inject(OutboxRelay) private readonly outbox: OutboxRelay,
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
    // The grantee is who must comply with the consent: only the importing originator can be held to it here.
    const foreign = consents.flatMap(granteesOf).filter((g) => g.id !== actor.participantId);
    if (foreign.length > 0) {
      throw new DomainError(
        'FHIR.CONSENT_NOT_ENFORCEABLE',
        'unprocessable',
        'Some Consent elements cannot be enforced by Renkei; nothing was recorded',
        {
          details: foreign.map((g) => ({ path: g.path, message: 'the grantee must be you, the importer' })),
          hint: 'Name recipients with provision.actor (role IRCP) instead',
        },
      );
    }
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

  /**
   * Records (or withdraws) an opt-out. Consents combine most restrictively, so a later permit cannot undo
   * an opt-out: withdrawing it is the originator's explicit act.
   */
  async optOut(actor: Principal, subjectRef: string, dataset: string, withdraw = false) {
    await this.assertDatasets(actor, [{ dataset, path: '/dataset' }]);
    const at = this.clock.now();
    const [view] = await this.prisma.$transaction((tx) =>
      recordPersonConsents(
        tx,
        actor.participantId,
        [
          {
            ...renkeiDeny(subjectRef, dataset, { kind: 'opt-out' }),
            ...(withdraw ? { decision: 'withdrawn' as const } : {}),
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
      orderBy: [{ subjectRef: 'asc' }, { dataset: 'asc' }, { consentKey: 'asc' }],
      take: 1000,
    });
    return rows.map(toConsentView);
  }
}
