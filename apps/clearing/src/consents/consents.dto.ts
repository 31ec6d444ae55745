import { z } from 'zod';
import { DatasetSelector, SubjectRef } from '@renkei/domain';
import { DATASET_EXTENSION } from './fhir-consent.js';

export const OptOutSchema = z.object({
  subjectRef: SubjectRef.describe("The person's pseudonymous reference, as in events' subject"),
  dataset: DatasetSelector.default('*').describe('A dataset id, or * for all your datasets'),
  withdraw: z
    .boolean()
    .default(false)
    .describe(
      "true: withdraw this opt-out (the person's other consents apply again; an erasure is never withdrawn)",
    ),
});
const period = z.object({ start: z.string().nullable(), end: z.string().nullable() });
const codes = z.array(z.string()).optional();

/**
 * One exception to a consent's decision (ConsentProvision). Its own nested exceptions have the same shape;
 * the document does not repeat it (OpenAPI 3.0 has no local recursive definitions).
 */
const ProvisionSchema = z.object({
  purposes: codes,
  recipients: codes,
  period: period.optional(),
  dataPeriod: period.optional(),
  recordTypes: codes,
  labels: codes,
  actions: codes,
  provisions: z
    .array(z.record(z.string(), z.unknown()))
    .optional()
    .describe('Exceptions to this exception, of the same shape'),
});

/** A person's consent record as clearing answers it (PersonConsentView). */
export const ConsentViewSchema = z.object({
  originator: z.uuid(),
  subjectRef: z.string(),
  dataset: z.string(),
  decision: z.enum(['permit', 'deny', 'withdrawn']),
  consentId: z.string(),
  provisions: z.array(ProvisionSchema),
  validFrom: z.string().nullable(),
  validUntil: z.string().nullable(),
  recordedAt: z.string().describe('ISO 8601 date-time'),
});
export const ImportResultSchema = z.object({
  recorded: z.number().int(),
  consents: z.array(ConsentViewSchema),
});
export const ListConsentsSchema = z.object({ subject: z.string().max(200).optional() });

export const consentExample = {
  resourceType: 'Consent',
  id: 'c-2026-0042',
  status: 'active',
  subject: { identifier: { system: 'urn:kansai-general:patient', value: 'pt-7f3a91' } },
  decision: 'deny',
  period: { start: '2026-11-01', end: '2027-10-31' },
  // R5: each provision is an exception to the decision — here "no, except health research".
  provision: [
    { purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HRESCH' }] },
  ],
  extension: [{ url: DATASET_EXTENSION, valueString: 'health.admissions' }],
};
export const viewExample = {
  originator: '9b1f7c1e-2a44-4a4e-8d0b-6a0d2f1c9e77',
  subjectRef: 'pt-7f3a91',
  consentId: 'fhir:c-2026-0042',
  dataset: 'health.admissions',
  decision: 'deny',
  provisions: [{ purposes: ['health-research'] }],
  validFrom: '2026-11-01T00:00:00.000Z',
  validUntil: '2027-10-31T00:00:00.000Z',
  recordedAt: '2026-11-21T07:00:00.000Z',
};

export type OptOut = z.infer<typeof OptOutSchema>;
export type ListConsents = z.infer<typeof ListConsentsSchema>;
