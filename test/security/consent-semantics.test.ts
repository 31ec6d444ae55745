/**
 * Persons' consents read the FHIR R5 way, and the audit chain without persons in it — through the real
 * services (four processes, real Kafka, PostgreSQL and the compiled policy):
 * - a person who said "permit, except treatment" is not delivered identified for treatment (the old
 *   reading delivered them identified for exactly that), nor is a person with a later permit beside an
 *   earlier deny; labelled records are withheld per record; a consent element the platform cannot enforce
 *   is refused with its JSON Pointer and nothing is recorded;
 * - the audit chain names persons only by keyed tags: the originator (only) can map a tag back; erasing
 *   the person destroys the key, after which nobody can, while the chain still verifies and no raw person
 *   reference is anywhere in the stored entries or in an export.
 * Each case first shows the legitimate path.
 */
import type { JWK } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient, type DeliveryStream, type StreamLine } from '@renkei/sdk';
import { expectProblem } from '../support/problems.js';
import {
  participantKey as newKey,
  publicJwk,
  startTestPlatform,
  type TestPlatform,
} from '../support/test-platform.js';
import { complianceOffice } from '../fixtures/battery-cfp.js';
import { consentOf, purpose } from '../fixtures/fhir-consent-shapes.js';
import { admissionsContract, fhirConsent, hospital, researchInstitute } from '../fixtures/regional-health.js';

type Event = Extract<StreamLine, { type: 'event' }>['event'];

async function events(stream: DeliveryStream, n: number, timeoutMs = 30_000): Promise<Event[]> {
  const out: Event[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < n && Date.now() < deadline) {
    const line = await stream.read(deadline - Date.now());
    if (!line) break;
    if (line.type === 'end') throw new Error(`the stream ended: ${JSON.stringify(line)}`);
    if (line.type === 'event') out.push(line.event);
  }
  return out;
}

/** Distinctive person references, so a search of stored JSON cannot match anything else. */
const P = {
  plain: 'kgh-pt-7301a',
  notTreatment: 'kgh-pt-7302b',
  laterPermit: 'kgh-pt-7303c',
  notHiv: 'kgh-pt-7304d',
  silent: 'kgh-pt-7305e',
} as const;
const ALL = Object.values(P);

/** Each admission has its own ward, so a record is recognised when its subject is pseudonymised. */
const admission = (patient: string, ward: string, labels?: string[]) => ({
  subject: patient,
  ...(labels ? { labels } : {}),
  payload: { wardId: ward, admittedAt: '2026-11-21T01:00:00Z', ageBand: '65-74', diagnosis: 'J18.9' },
});

let env: TestPlatform;

describe('persons’ consents (FHIR R5) and persons on the audit chain', () => {
  let hosp: RenkeiClient;
  let lab: RenkeiClient;
  let compliance: RenkeiClient;
  let stream: DeliveryStream | undefined;
  let plainTag: string;
  let grantId: string;

  beforeAll(async () => {
    env = await startTestPlatform('sec-consent', 4301);
    const keys: Record<string, JWK> = {};
    for (const name of ['hosp', 'lab', 'comp']) keys[name] = await newKey(`${name}-1`);
    const [h, l, c] = await Promise.all([
      env.admin.onboard({ ...hospital, jwks: { keys: [publicJwk(keys.hosp!)] } }),
      env.admin.onboard({ ...researchInstitute, jwks: { keys: [publicJwk(keys.lab!)] } }),
      env.admin.onboard({ ...complianceOffice, jwks: { keys: [publicJwk(keys.comp!)] } }),
    ]);
    const e = env.platform.endpoints;
    hosp = new RenkeiClient(e, { clientId: h.id, privateJwk: keys.hosp! });
    lab = new RenkeiClient(e, { clientId: l.id, privateJwk: keys.lab! });
    compliance = new RenkeiClient(e, { clientId: c.id, privateJwk: keys.comp! });
    await hosp.registerContract({ ...admissionsContract, purposes: ['treatment', 'health-research'] });
    const grant = await lab.requestGrant({ dataset: 'health.admissions', purpose: 'treatment' });
    await hosp.approveGrant(grant.id, 'Shared care');
    grantId = grant.id;
  });

  afterAll(async () => {
    stream?.close();
    await env?.stop();
  });

  it('refuses a Consent with an element it cannot enforce, naming it, and records nothing of the Bundle', async () => {
    const refused = await expectProblem(
      hosp.importConsents({
        resourceType: 'Bundle',
        type: 'collection',
        entry: [
          { resource: fhirConsent(P.plain, 'permit') },
          {
            resource: consentOf(P.notTreatment, 'permit', [
              { data: [{ meaning: 'related', reference: { reference: 'ServiceRequest/lab-77' } }] },
            ]),
          },
        ],
      }),
      422,
      'FHIR.CONSENT_NOT_ENFORCEABLE',
    );
    expect(refused.problem.errors).toEqual([
      expect.objectContaining({ path: '/entry/1/resource/provision/0/data/0' }),
    ]);
    expect(await hosp.personConsents()).toEqual([]);
  });

  it('does not deliver a "permit, except treatment" person identified (nor at all) for treatment', async () => {
    await hosp.importConsents({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        // Legitimate: a plain permit is delivered identified.
        { resource: fhirConsent(P.plain, 'permit') },
        // "Yes, except treatment and emergency treatment": the old reading made this a permit FOR treatment.
        { resource: fhirConsent(P.notTreatment, 'permit', ['TREAT', 'ETREAT']) },
        // Two consents of one person: an earlier "no" and a later "yes" (another Consent): the "no" stands.
        { resource: consentOf(P.laterPermit, 'deny', [], { id: 'c-old-no' }) },
        { resource: consentOf(P.laterPermit, 'permit', [], { id: 'c-new-yes' }) },
        // "Yes, except what is labelled HIV".
        { resource: consentOf(P.notHiv, 'permit', [{ securityLabel: [{ code: 'HIV' }] }]) },
      ],
    });
    const token = await hosp.datasetToken('health.admissions', 'publish');
    await hosp.publish('health.admissions', token, [
      admission(P.plain, 'W1'),
      admission(P.notTreatment, 'W2'),
      admission(P.laterPermit, 'W3'),
      admission(P.notHiv, 'W4', ['HIV']),
      admission(P.notHiv, 'W5'),
      admission(P.silent, 'W6'),
    ]);
    // The stream opens once the data topic exists, and reads it from the start.
    stream = await lab.stream(
      'health.admissions',
      await lab.datasetToken('health.admissions', 'subscribe', grantId),
    );
    const got = await events(stream, 3);
    const byWard = Object.fromEntries(got.map((e) => [e.payload.wardId as string, e]));
    expect(Object.keys(byWard).sort()).toEqual(['W1', 'W5', 'W6']);
    expect(byWard.W1).toMatchObject({ subject: P.plain, payload: { diagnosis: 'J18.9' } });
    expect(byWard.W5).toMatchObject({ subject: P.notHiv, payload: { diagnosis: 'J18.9' } });
    // Someone who said nothing is pseudonymised.
    expect(byWard.W6!.subject).toMatch(/^ps_/);
    expect(byWard.W6!.payload.diagnosis).toMatch(/^ps_/);
    // Nothing of the person who refused treatment, in any form.
    expect(JSON.stringify(got)).not.toContain(P.notTreatment);
  });

  it('shows the originator, and only the originator, whom a person tag stands for', async () => {
    const entries = await compliance.auditEntries({ kind: 'consent.person', limit: '100' });
    const tags = entries.items.map((e) => e.record.subjectTag as string);
    expect(tags.every((t) => /^pr_/.test(t))).toBe(true);
    const mapped = await Promise.all(tags.map((t) => hosp.auditPerson(t)));
    expect(new Set(mapped.map((m) => m.subjectRef))).toEqual(
      new Set([P.plain, P.notTreatment, P.laterPermit, P.notHiv]),
    );
    plainTag = mapped.find((m) => m.subjectRef === P.plain)!.tag;
    await expectProblem(lab.auditPerson(plainTag), 404, 'AUDIT.PERSON_NOT_FOUND');
    await expectProblem(compliance.auditPerson(plainTag), 404, 'AUDIT.PERSON_NOT_FOUND');
    await expectProblem(hosp.auditPerson('pr_' + 'A'.repeat(32)), 404, 'AUDIT.PERSON_NOT_FOUND');
  });

  it('after erasure the chain verifies, the tag maps to no one, and no person reference is stored or exported', async () => {
    // The deliveries' decision records reach the chain through Kafka: wait for them.
    const deadline = Date.now() + 30_000;
    let delivers = 0;
    while (Date.now() < deadline) {
      const decisions = await compliance.auditEntries({ kind: 'decision', limit: '500' });
      delivers = decisions.items.filter((e) => e.record.action === 'deliver').length;
      if (delivers > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(delivers).toBeGreaterThan(0);

    expect((await hosp.erasePerson(P.plain, '*', 'Erasure requested')).keysDestroyed).toBe(1);
    await expectProblem(hosp.auditPerson(plainTag), 404, 'AUDIT.PERSON_NOT_FOUND');
    expect(await compliance.auditVerify()).toMatchObject({ ok: true });

    const db = new pg.Client({ connectionString: env.databaseUrl });
    await db.connect();
    try {
      const stored = await db.query<{ kind: string; payload: string }>(
        'SELECT kind, payload::text AS payload FROM clearing.audit_log ORDER BY seq',
      );
      expect(stored.rows.map((r) => r.kind)).toEqual(
        expect.arrayContaining(['decision', 'consent.person', 'key.destroyed']),
      );
      const all = stored.rows.map((r) => r.payload).join('\n');
      for (const ref of ALL) expect(all, ref).not.toContain(ref);
      // The erased person's key and mapping are gone; the others' remain for their originator.
      const keys = await db.query<{ subject_ref: string }>(
        'SELECT subject_ref FROM clearing.audit_person_keys',
      );
      expect(keys.rows.map((r) => r.subject_ref)).not.toContain(P.plain);
      expect(keys.rows.map((r) => r.subject_ref)).toContain(P.notTreatment);
    } finally {
      await db.end();
    }
    for (const format of ['json', 'csv', 'ndjson'] as const) {
      const exported = await compliance.exportAudit(format);
      for (const ref of ALL) expect(exported, `${format} ${ref}`).not.toContain(ref);
    }
  });

  it('honours an update of the same Consent, a withdrawal, and an opt-out until it is withdrawn', async () => {
    // The same FHIR id replaces the earlier version: the person now says no, except research.
    await hosp.importConsents(consentOf(P.notHiv, 'deny', [{ purpose: purpose('HRESCH') }]));
    const token = await hosp.datasetToken('health.admissions', 'publish');
    await hosp.publish('health.admissions', token, [admission(P.notHiv, 'W7'), admission(P.silent, 'W8')]);
    const got = await events(stream!, 1);
    expect(got.map((e) => e.payload.wardId)).toEqual(['W8']);
    // Withdrawn (inactive): as if there were none — pseudonymised, not identified, not withheld.
    await hosp.importConsents(consentOf(P.notHiv, 'deny', [], { status: 'inactive' }));
    await hosp.publish('health.admissions', token, [admission(P.notHiv, 'W9')]);
    const [w9] = await events(stream!, 1);
    expect(w9?.payload.wardId).toBe('W9');
    expect(w9?.subject).toMatch(/^ps_/);
    // A later permit cannot undo an opt-out (most restrictive wins); withdrawing it explicitly does.
    await hosp.optOut(P.silent, 'health.admissions');
    await hosp.importConsents(consentOf(P.silent, 'permit'));
    await hosp.publish('health.admissions', token, [admission(P.silent, 'W10'), admission(P.notHiv, 'W11')]);
    expect((await events(stream!, 1)).map((e) => e.payload.wardId)).toEqual(['W11']);
    await hosp.optOut(P.silent, 'health.admissions', true);
    await hosp.publish('health.admissions', token, [admission(P.silent, 'W12')]);
    expect((await events(stream!, 1)).map((e) => [e.payload.wardId, e.subject])).toEqual([['W12', P.silent]]);
  });
});
