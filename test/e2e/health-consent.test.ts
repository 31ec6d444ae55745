/**
 * Regional health data under persons' consent, end to end on real Kafka, PostgreSQL and the compiled
 * policy with the four services as processes: only certified recipients, protected fields encrypted on
 * Kafka with clearing's data keys, per-person FHIR R5 consents and opt-outs honoured on every record
 * delivered, and crypto-shredding (erasing a person, destroying a dataset's keys) making what was shared
 * unreadable to everyone.
 */
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient, type DeliveryStream, type StreamLine } from '@renkei/sdk';
import { expectProblem } from '../support/problems.js';
import {
  participantKey as newKey,
  publicJwk,
  startTestPlatform,
  type TestPlatform,
} from '../support/test-platform.js';
import { readTopicUntil } from '../support/topic-reader.js';
import { complianceOffice } from '../fixtures/battery-cfp.js';
import {
  admissionsContract,
  fhirConsent,
  hospital,
  insurer,
  researchInstitute,
} from '../fixtures/regional-health.js';

type Event = Extract<StreamLine, { type: 'event' }>['event'];

async function events(stream: DeliveryStream, n: number, timeoutMs = 15_000): Promise<Event[]> {
  const out: Event[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < n && Date.now() < deadline) {
    const line = await stream.read(deadline - Date.now());
    if (!line || line.type === 'end') break;
    if (line.type === 'event') out.push(line.event);
  }
  return out;
}

/** Each admission has its own time, so a delivered record can be recognised when its subject is pseudonymised. */
const at = (n: number) => `2026-11-21T0${n}:00:00Z`;
const admission = (patient: string, n: number, diagnosis: string, ageBand = '65-74') => ({
  subject: patient,
  payload: { wardId: 'W3', admittedAt: at(n), ageBand, diagnosis },
});

let env: TestPlatform;

describe('regional health: persons’ consent and crypto-shredding', () => {
  let hosp: RenkeiClient;
  let lab: RenkeiClient;
  let life: RenkeiClient;
  let compliance: RenkeiClient;
  let grantId: string;
  let stream: DeliveryStream | undefined;
  let publishToken: string;

  beforeAll(async () => {
    env = await startTestPlatform('e2e-health', 4221);
    const keys: Record<string, JWK> = {};
    for (const name of ['hosp', 'lab', 'life', 'comp']) keys[name] = await newKey(`${name}-1`);
    const admin = env.admin;
    const [h, l, i, c] = await Promise.all([
      admin.onboard({ ...hospital, jwks: { keys: [publicJwk(keys.hosp!)] } }),
      admin.onboard({ ...researchInstitute, jwks: { keys: [publicJwk(keys.lab!)] } }),
      admin.onboard({ ...insurer, jwks: { keys: [publicJwk(keys.life!)] } }),
      admin.onboard({ ...complianceOffice, jwks: { keys: [publicJwk(keys.comp!)] } }),
    ]);
    const e = env.platform.endpoints;
    hosp = new RenkeiClient(e, { clientId: h.id, privateJwk: keys.hosp! });
    lab = new RenkeiClient(e, { clientId: l.id, privateJwk: keys.lab! });
    life = new RenkeiClient(e, { clientId: i.id, privateJwk: keys.life! });
    compliance = new RenkeiClient(e, { clientId: c.id, privateJwk: keys.comp! });
    await hosp.registerContract(admissionsContract);
  });

  afterAll(async () => {
    stream?.close();
    await env?.stop();
  });

  it('gives health data only to certified recipients', async () => {
    await expectProblem(
      life.requestGrant({ dataset: 'health.admissions', purpose: 'health-research' }),
      403,
      'HEALTH.RECIPIENT_NOT_CERTIFIED',
    );
    const grant = await lab.requestGrant({ dataset: 'health.admissions', purpose: 'health-research' });
    expect((await hosp.approveGrant(grant.id, 'Regional readmission study')).state).toBe('granted');
    grantId = grant.id;
  });

  it('records persons’ consents and opt-outs from FHIR R5 Consent resources', async () => {
    const recorded = await hosp.importConsents({
      resourceType: 'Bundle',
      type: 'collection',
      // R5: pt-1 says no, except health research; pt-2 says no to everything.
      entry: [
        { resource: fhirConsent('pt-1', 'deny', ['HRESCH']) },
        { resource: fhirConsent('pt-2', 'deny') },
      ],
    });
    expect(recorded.consents.map((c) => [c.subjectRef, c.decision, c.provisions])).toEqual([
      ['pt-1', 'deny', [{ purposes: ['health-research'] }]],
      ['pt-2', 'deny', []],
    ]);
    await expectProblem(
      hosp.importConsents({ ...fhirConsent('pt-3', 'permit'), decision: 'perhaps' }),
      400,
      'FHIR.INVALID_CONSENT',
    );
    // A dataset the hospital does not own (here, a typo) is refused, naming where it was read from.
    const typo = fhirConsent('pt-3', 'deny');
    const unknown = await expectProblem(
      hosp.importConsents({
        resourceType: 'Bundle',
        type: 'collection',
        entry: [
          { resource: fhirConsent('pt-3', 'permit') },
          { resource: { ...typo, extension: [{ ...typo.extension[0]!, valueString: 'health.admisions' }] } },
        ],
      }),
      404,
      'CONTRACT.NOT_FOUND',
    );
    expect(unknown.problem.errors).toEqual([
      expect.objectContaining({ path: '/entry/1/resource/extension' }),
    ]);
    // The consents are the hospital's records: nobody else lists them.
    expect(await lab.personConsents()).toEqual([]);
    expect((await hosp.personConsents()).map((c) => c.subjectRef).sort()).toEqual(['pt-1', 'pt-2']);
  });

  it('keeps protected fields encrypted on Kafka', async () => {
    publishToken = await hosp.datasetToken('health.admissions', 'publish');
    await hosp.publish('health.admissions', publishToken, [
      admission('pt-1', 1, 'J18.9'),
      admission('pt-2', 2, 'I21.0'),
      admission('pt-3', 3, 'E11.9', '75+'),
    ]);
    const onTopic = await readTopicUntil<{ subject: string; payload: Record<string, unknown> }>(
      `${env.topicPrefix}.data.health.admissions`,
      (v) => v.length >= 3,
    );
    const raw = JSON.stringify(onTopic);
    for (const code of ['J18.9', 'I21.0', 'E11.9', '75+']) expect(raw).not.toContain(code);
    expect(onTopic[0]!.payload.wardId).toBe('W3');
    expect(onTopic[0]!.payload.diagnosis).toMatchObject({ $enc: 'A256GCM' });
  });

  it('delivers identified only with consent, pseudonymised without it, and nothing of people who opted out', async () => {
    stream = await lab.stream(
      'health.admissions',
      await lab.datasetToken('health.admissions', 'subscribe', grantId),
    );
    const got = await events(stream, 2);
    const byTime = Object.fromEntries(got.map((e) => [e.payload.admittedAt as string, e]));
    expect(Object.keys(byTime).sort()).toEqual([at(1), at(3)]);
    // pt-1 permitted health research: identified, in full.
    expect(byTime[at(1)]).toMatchObject({
      subject: 'pt-1',
      payload: { wardId: 'W3', admittedAt: at(1), ageBand: '65-74', diagnosis: 'J18.9' },
    });
    // pt-3 said nothing: personal fields and the person reference are pseudonymised.
    const pt3 = byTime[at(3)]!;
    expect(pt3.subject).toMatch(/^ps_/);
    expect(pt3.payload.wardId).toBe('W3');
    expect(pt3.payload.diagnosis).toMatch(/^ps_/);
    expect(pt3.payload.ageBand).toMatch(/^ps_/);
  });

  it('honours an opt-out from the next delivery', async () => {
    // Only '*' or a dataset of the originator: a typo is not silently recorded as an opt-out for nothing.
    const typo = await expectProblem(hosp.optOut('pt-3', 'health.admisions'), 404, 'CONTRACT.NOT_FOUND');
    expect(typo.problem.errors).toEqual([expect.objectContaining({ path: '/dataset' })]);
    await hosp.optOut('pt-3', 'health.admissions');
    await hosp.publish('health.admissions', publishToken, [
      admission('pt-3', 4, 'E11.9'),
      admission('pt-1', 5, 'J44.1'),
    ]);
    const got = await events(stream!, 1);
    expect(got.map((e) => [e.subject, e.payload.diagnosis])).toEqual([['pt-1', 'J44.1']]);
  });

  it('erases a person: their keys are destroyed and nothing about them is delivered, even on replay', async () => {
    const erased = await hosp.erasePerson('pt-1', '*', 'Erasure requested by the patient');
    expect(erased.keysDestroyed).toBe(1);
    stream!.close();
    await hosp.revokeGrant(grantId, 'Study phase 1 ended');
    await hosp.publish('health.admissions', publishToken, [admission('pt-5', 6, 'S72.0', '75+')]);
    // A fresh read of everything from the start, under a new grant.
    const grant = await lab.requestGrant({ dataset: 'health.admissions', purpose: 'capacity-planning' });
    // Everything already published is read again: the originator lets the new grant cover the past.
    await hosp.approveGrant(grant.id, null, { historyFrom: 'all' });
    grantId = grant.id;
    stream = await lab.stream(
      'health.admissions',
      await lab.datasetToken('health.admissions', 'subscribe', grant.id),
    );
    const got = await events(stream, 1);
    // pt-1 (erased), pt-2 and pt-3 (opted out) never come through; pt-5, without a record, does.
    expect(got.map((e) => e.payload.admittedAt)).toEqual([at(6)]);
    // The audit names the erased person only by a keyed tag that no longer maps to anyone.
    const destroyed = await compliance.auditEntries({ kind: 'key.destroyed' });
    expect(JSON.stringify(destroyed.items)).not.toContain('pt-1');
    expect(destroyed.items.map((e) => (e.record as { subjectTag?: string }).subjectTag)).toContainEqual(
      expect.stringMatching(/^pr_/),
    );
  });

  it('crypto-shreds a whole dataset: every protected field already shared becomes unreadable', async () => {
    stream?.close();
    await hosp.revokeGrant(grantId, 'Study closed');
    await hosp.publish('health.admissions', publishToken, [admission('pt-4', 7, 'K35.8', '15-39')]);
    const destroyed = await hosp.destroyDatasetKeys('health.admissions', 'Study closed');
    expect(destroyed.destroyed).toBeGreaterThanOrEqual(2);
    const grant = await lab.requestGrant({ dataset: 'health.admissions', purpose: 'health-research' });
    await hosp.approveGrant(grant.id, null, { historyFrom: 'all' });
    stream = await lab.stream(
      'health.admissions',
      await lab.datasetToken('health.admissions', 'subscribe', grant.id),
    );
    const got = (await events(stream, 2)).sort((a, b) =>
      String(a.payload.admittedAt).localeCompare(String(b.payload.admittedAt)),
    );
    expect(got.map((e) => [e.payload, e.erased?.sort()])).toEqual([
      [{ wardId: 'W3', admittedAt: at(6) }, ['ageBand', 'diagnosis']],
      [{ wardId: 'W3', admittedAt: at(7) }, ['ageBand', 'diagnosis']],
    ]);
  });

  it('puts consents, key releases and destructions on the verified audit chain', async () => {
    for (const kind of ['consent.person', 'key.released', 'key.destroyed']) {
      expect((await compliance.auditEntries({ kind })).items.length, kind).toBeGreaterThan(0);
    }
    expect(await compliance.auditVerify()).toMatchObject({ ok: true });
  });
});
