import { describe, expect, it } from 'vitest';
import { DomainError } from '#libs/domain';
import { DATASET_EXTENSION, MAX_ENTRIES, parseFhirConsents } from './fhir-consent.js';

const consent = (over: Record<string, unknown> = {}) => ({
  resourceType: 'Consent',
  id: 'c-1',
  status: 'active',
  subject: { identifier: { system: 'urn:hospital:patient', value: 'pt-1' } },
  decision: 'permit',
  period: { start: '2026-11-01', end: '2027-11-01T00:00:00+09:00' },
  provision: [
    {
      purpose: [
        { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HRESCH' },
        { code: 'capacity-planning' },
      ],
    },
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

describe('FHIR R5 Consent import', () => {
  it('reads subject, decision, period, purposes (v3-ActReason mapped) and the dataset extension', () => {
    expect(parseFhirConsents(consent())).toEqual([
      expect.objectContaining({
        subjectRef: 'pt-1',
        dataset: 'health.admissions',
        decision: 'permit',
        purposes: ['capacity-planning', 'health-research'],
        validFrom: '2026-11-01T00:00:00.000Z',
        validUntil: '2027-10-31T15:00:00.000Z',
        fhirId: 'c-1',
      }),
    ]);
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

  it('reads every Consent of a Bundle', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { resource: consent() },
        { resource: consent({ subject: { identifier: { value: 'pt-2' } }, decision: 'deny' }) },
      ],
    };
    expect(parseFhirConsents(bundle).map((c) => [c.subjectRef, c.decision])).toEqual([
      ['pt-1', 'permit'],
      ['pt-2', 'deny'],
    ]);
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
