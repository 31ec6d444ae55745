import { describe, expect, it } from 'vitest';
import {
  consentStatus,
  DomainError,
  MAX_PROVISION_DEPTH,
  MAX_PROVISIONS,
  type ConsentUse,
} from '@renkei/domain';
import { consentOf, purpose, recipient, shapes } from '../../../../test/fixtures/fhir-consent-shapes.js';
import { DATASET_EXTENSION, MAX_ENTRIES, MAX_REQUEST_PROVISIONS, parseFhirConsents } from './fhir-consent.js';

const consent = (over: Record<string, unknown> = {}) => ({
  resourceType: 'Consent',
  id: 'c-1',
  status: 'active',
  subject: { identifier: { system: 'urn:hospital:patient', value: 'pt-1' } },
  decision: 'permit',
  period: { start: '2026-11-01', end: '2027-11-01T00:00:00+09:00' },
  provision: [
    { purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HRESCH' }] },
  ],
  extension: [{ url: DATASET_EXTENSION, valueString: 'health.admissions' }],
  ...over,
});

function problem(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

const ids = { lab: 'lab-participant', other: 'other-participant' };
const NOW = Date.parse('2026-11-21T07:10:00Z');
/** What the imported consent says about one use (see libs/domain person-consent.ts). */
function answer(
  resource: unknown,
  over: Partial<Omit<ConsentUse, 'record'>> & { record?: Partial<ConsentUse['record']> } = {},
) {
  const parsed = parseFhirConsents(resource).map((c) => ({
    ...c,
    originator: 'hosp',
    recordedAt: '2026-11-01T00:00:00Z',
  }));
  return consentStatus(parsed, {
    dataset: 'health.admissions',
    purpose: 'health-research',
    recipient: ids.lab,
    now: NOW,
    ...over,
    record: { type: 'admission', labels: [], at: Date.parse('2026-11-20T00:00:00Z'), ...over.record },
  });
}

describe('FHIR R5 Consent import', () => {
  it('keeps the decision as the base and each provision as an exception with its scopes', () => {
    expect(parseFhirConsents(consent())).toEqual([
      expect.objectContaining({
        subjectRef: 'pt-1',
        consentId: 'fhir:c-1',
        dataset: 'health.admissions',
        decision: 'permit',
        provisions: [{ purposes: ['health-research'] }],
        validFrom: '2026-11-01T00:00:00.000Z',
        validUntil: '2027-10-31T15:00:00.000Z',
        fhirId: 'c-1',
      }),
    ]);
  });

  it('reads "permit with a research provision" as permit EXCEPT research (the old reading permitted research)', () => {
    expect(answer(consent(), { purpose: 'health-research' })).toBe('deny');
    expect(answer(consent(), { purpose: 'capacity-planning' })).toBe('permit');
    expect(answer(consent({ decision: 'deny' }), { purpose: 'health-research' })).toBe('permit');
    expect(answer(consent({ decision: 'deny' }), { purpose: 'capacity-planning' })).toBe('deny');
  });

  it('takes a Patient reference when there is no identifier, and every dataset without the extension', () => {
    const [c] = parseFhirConsents(consent({ subject: { reference: 'Patient/pt-9' }, extension: undefined }));
    expect(c).toMatchObject({ subjectRef: 'pt-9', dataset: '*' });
  });

  it('treats a consent that is not active as withdrawn', () => {
    expect(parseFhirConsents(consent({ status: 'inactive' }))[0]?.decision).toBe('withdrawn');
    expect(parseFhirConsents(consent({ status: 'entered-in-error', decision: 'deny' }))[0]?.decision).toBe(
      'withdrawn',
    );
  });

  it('reads every Consent of a Bundle, and each keeps its own identity', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { resource: consent() },
        { resource: consent({ id: 'c-2', decision: 'deny' }) },
        { resource: consent({ id: undefined }) },
      ],
    };
    const parsed = parseFhirConsents(bundle);
    expect(parsed.map((c) => [c.subjectRef, c.consentId.replace(/:.*/, ''), c.decision])).toEqual([
      ['pt-1', 'fhir', 'permit'],
      ['pt-1', 'fhir', 'deny'],
      ['pt-1', 'fhir-anonymous', 'permit'],
    ]);
    expect(new Set(parsed.map((c) => c.consentId)).size).toBe(3);
  });

  it('maps recipients, periods, record types, labels and actions; nests exceptions', () => {
    const [ok] = parseFhirConsents(
      consentOf('pt-1', 'deny', [
        {
          purpose: purpose('TREAT'),
          actor: [recipient('lab-1')],
          period: { start: '2026-11-01', end: '2026-12-01' },
          dataPeriod: { start: '2026-01-01' },
          resourceType: [{ code: 'Observation' }],
          documentType: [{ coding: [{ code: 'Discharge-Summary' }] }],
          securityLabel: [{ code: 'PSY' }],
          code: [{ coding: [{ system: 'http://loinc.org', code: '2160-0' }] }],
          action: [
            { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: 'use' }] },
          ],
          provision: [{ securityLabel: [{ code: 'HIV' }] }],
        },
      ]),
    );
    expect(ok?.provisions).toEqual([
      {
        purposes: ['treatment'],
        recipients: ['lab-1'],
        period: { start: '2026-11-01T00:00:00.000Z', end: '2026-12-01T00:00:00.000Z' },
        dataPeriod: { start: '2026-01-01T00:00:00.000Z', end: null },
        recordTypes: ['discharge-summary', 'observation'],
        labels: ['2160-0', 'PSY'],
        actions: ['use'],
        provisions: [{ labels: ['HIV'] }],
      },
    ]);
  });

  describe('the shapes of the official R5 examples: enforced with their meaning, or refused with a pointer', () => {
    for (const shape of shapes) {
      it(`${shape.example}: ${shape.means}`, () => {
        const resource = shape.consent('pt-1', ids);
        if (shape.refusedAt === null) {
          expect(() => parseFhirConsents(resource)).not.toThrow();
          return;
        }
        const error = problem(() => parseFhirConsents(resource));
        expect(error.code).toBe('FHIR.CONSENT_NOT_ENFORCEABLE');
        expect(error.kind).toBe('unprocessable');
        expect(error.details.map((d) => d.path)).toContain(shape.refusedAt);
        // In a Bundle the pointer names the entry; nothing of the Bundle is recorded.
        const inBundle = problem(() =>
          parseFhirConsents({
            resourceType: 'Bundle',
            entry: [{ resource: consent() }, { resource: consent() }, { resource }],
          }),
        );
        expect(inBundle.details.map((d) => d.path)).toContain(`/entry/2/resource${shape.refusedAt}`);
      });
    }

    const byExample = (name: string) => shapes.find((s) => s.example === name)!.consent('pt-1', ids);

    it('notOrg: the named recipient gets nothing, everyone else is permitted', () => {
      expect(answer(byExample('consent-example-notOrg'), { recipient: ids.lab })).toBe('deny');
      expect(answer(byExample('consent-example-notOrg'), { recipient: ids.other })).toBe('permit');
    });

    it('notTime: records from the time frame are withheld, later ones are not', () => {
      const c = byExample('consent-example-notTime');
      expect(answer(c, { record: { at: Date.parse('2015-01-10T00:00:00Z') } })).toBe('deny');
      expect(answer(c)).toBe('permit');
    });

    it('notLabs: observations and reports are withheld, admissions are not', () => {
      const c = byExample('consent-example-notLabs');
      expect(answer(c, { record: { type: 'observation' } })).toBe('deny');
      expect(answer(c, { record: { type: 'diagnosticreport' } })).toBe('deny');
      expect(answer(c)).toBe('permit');
    });

    it('notSecLabel: HIV-labelled records are withheld', () => {
      const c = byExample('consent-example-notSecLabel');
      expect(answer(c, { record: { labels: ['HIV'] } })).toBe('deny');
      expect(answer(c, { record: { labels: ['R'] } })).toBe('permit');
    });

    it('Out: treatment and emergency treatment are refused, research is permitted', () => {
      const c = byExample('consent-example-Out');
      expect(answer(c, { purpose: 'treatment' })).toBe('deny');
      expect(answer(c, { purpose: 'emergency-treatment' })).toBe('deny');
      expect(answer(c, { purpose: 'health-research' })).toBe('permit');
    });

    it('Emergency: only that recipient, only for emergency treatment, never the HIV data', () => {
      const c = byExample('consent-example-Emergency');
      expect(answer(c, { purpose: 'emergency-treatment' })).toBe('permit');
      expect(answer(c, { purpose: 'emergency-treatment', record: { labels: ['HIV'] } })).toBe('deny');
      expect(answer(c, { purpose: 'emergency-treatment', recipient: ids.other })).toBe('deny');
      expect(answer(c, { purpose: 'treatment' })).toBe('deny');
    });

    it('smartonfhir: observations within the 30 minutes only', () => {
      const c = byExample('consent-example-smartonfhir');
      expect(answer(c, { record: { type: 'observation' } })).toBe('permit');
      expect(answer(c, { record: { type: 'admission' } })).toBe('deny');
      expect(answer(c, { now: Date.parse('2026-11-21T07:31:00Z'), record: { type: 'observation' } })).toBe(
        'deny',
      );
    });
  });

  it('refuses every element it cannot enforce, each with its pointer, and never drops one', () => {
    const error = problem(() =>
      parseFhirConsents(
        consentOf(
          'pt-1',
          'deny',
          [
            {
              purpose: [
                { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HSYSADMIN' },
                { system: 'urn:other', code: 'x' },
              ],
              actor: [{ role: { coding: [{ code: 'IRCP' }] }, reference: { reference: 'Organization/1' } }],
              expression: { language: 'text/fhirpath', expression: 'true' },
              action: [{ coding: [{ system: 'urn:x', code: 'print' }] }, { text: 'share' }],
              extension: [{ url: 'urn:x', valueString: 'y' }],
              class: [{ code: 'Observation' }],
            },
          ],
          { implicitRules: 'urn:rules', modifierExtension: [{ url: 'urn:m' }] },
        ),
      ),
    );
    expect(error.code).toBe('FHIR.CONSENT_NOT_ENFORCEABLE');
    expect(error.details.map((d) => d.path).sort()).toEqual(
      [
        '/implicitRules',
        '/modifierExtension',
        '/provision/0/purpose/0',
        '/provision/0/purpose/1/system',
        '/provision/0/actor/0/role',
        '/provision/0/expression',
        '/provision/0/action/0/coding/0',
        '/provision/0/action/1',
        '/provision/0/extension',
        '/provision/0/class',
      ].sort(),
    );
  });

  it('bounds provisions: depth, count and values per scope', () => {
    let nested: Record<string, unknown> = { purpose: purpose('HRESCH') };
    for (let i = 0; i < MAX_PROVISION_DEPTH; i++)
      nested = { purpose: purpose('HRESCH'), provision: [nested] };
    const deep = problem(() => parseFhirConsents(consentOf('pt-1', 'deny', [nested])));
    expect(deep.code).toBe('FHIR.CONSENT_NOT_ENFORCEABLE');
    expect(deep.details[0]?.path).toBe('/provision/0'.repeat(MAX_PROVISION_DEPTH) + '/provision');
    const many = problem(() =>
      parseFhirConsents(
        consentOf(
          'pt-1',
          'deny',
          Array.from({ length: MAX_PROVISIONS + 1 }, () => ({ purpose: purpose('HRESCH') })),
        ),
      ),
    );
    expect(many.details.map((d) => d.path)).toEqual(['/provision']);
    const wide = problem(() =>
      parseFhirConsents(
        consentOf('pt-1', 'deny', [
          { securityLabel: Array.from({ length: 33 }, (_, i) => ({ code: `L${i}` })) },
        ]),
      ),
    );
    const bundle = problem(() =>
      parseFhirConsents({
        resourceType: 'Bundle',
        entry: Array.from({ length: Math.ceil(MAX_REQUEST_PROVISIONS / MAX_PROVISIONS) + 1 }, () => ({
          resource: consentOf(
            'pt-1',
            'deny',
            Array.from({ length: MAX_PROVISIONS }, () => ({ purpose: purpose('HRESCH') })),
          ),
        })),
      }),
    );
    expect(bundle.details.map((d) => d.path)).toEqual(['/entry']);
    expect(wide.code).toBe('FHIR.INVALID_CONSENT');
    expect(wide.details.map((d) => d.path)).toEqual(['/provision/0/securityLabel']);
  });

  it('refuses the whole Bundle naming each bad element, and records nothing', () => {
    const error = problem(() =>
      parseFhirConsents({
        resourceType: 'Bundle',
        entry: [
          { resource: consent() },
          { resource: consent({ decision: 'maybe' }) },
          { resource: consent({ subject: {} }) },
        ],
      }),
    );
    expect(error.code).toBe('FHIR.INVALID_CONSENT');
    expect(error.details.map((d) => d.path)).toEqual([
      '/entry/1/resource/decision',
      '/entry/2/resource/subject',
    ]);
  });

  it('bounds references and dataset ids to 200 characters and a Bundle to 1,000 entries', () => {
    const long = 'x'.repeat(201);
    const error = problem(() =>
      parseFhirConsents({
        resourceType: 'Bundle',
        entry: [
          { resource: consent({ subject: { identifier: { value: long } } }) },
          { resource: consent({ subject: { reference: `Patient/${long}` } }) },
          { resource: consent({ extension: [{ url: DATASET_EXTENSION, valueString: long }] }) },
        ],
      }),
    );
    expect(error.details.map((d) => d.path)).toEqual([
      '/entry/0/resource/subject/identifier/value',
      '/entry/1/resource/subject/reference',
      '/entry/2/resource/extension/0/valueString',
    ]);
    const tooMany = problem(() =>
      parseFhirConsents({
        resourceType: 'Bundle',
        entry: Array.from({ length: MAX_ENTRIES + 1 }, () => ({ resource: consent() })),
      }),
    );
    expect(tooMany.code).toBe('FHIR.INVALID_RESOURCE');
    expect(tooMany.kind).toBe('bad-request');
    expect(tooMany.details.map((d) => d.path)).toEqual(['/entry']);
  });

  it('says where each dataset was read from', () => {
    expect(parseFhirConsents(consent())[0]?.datasetPath).toBe('/extension');
    const bundle = { resourceType: 'Bundle', entry: [{ resource: consent() }, { resource: consent() }] };
    expect(parseFhirConsents(bundle).map((c) => c.datasetPath)).toEqual([
      '/entry/0/resource/extension',
      '/entry/1/resource/extension',
    ]);
  });

  it('refuses what is not a Consent', () => {
    expect(problem(() => parseFhirConsents({ resourceType: 'Patient' })).details[0]?.path).toBe(
      '/resourceType',
    );
  });
});
