/**
 * A person's consent or opt-out for their health records held by one originator, as every service sees
 * it (from clearing's `person-consent.changed` events; the source of truth is an HL7 FHIR R5 Consent).
 */
export interface PersonConsentView {
  originator: string;
  /** The person's pseudonymous reference, as in the event envelope's `subject`. */
  subjectRef: string;
  /** A dataset id, or "*" for every dataset of the originator. */
  dataset: string;
  /**
   * permit: identified use for the purposes; deny: opt-out, nothing about the person is delivered;
   * withdrawn: the consent was withdrawn or entered in error — as if there were none.
   */
  decision: 'permit' | 'deny' | 'withdrawn';
  /** Purposes a permit covers (empty: every purpose); ignored for deny. */
  purposes: string[];
  validFrom: string | null;
  validUntil: string | null;
  recordedAt: string;
}

export type ConsentStatus = 'permit' | 'deny' | 'none';

const inForce = (c: PersonConsentView, now: number) =>
  (c.validFrom === null || Date.parse(c.validFrom) <= now) &&
  (c.validUntil === null || now < Date.parse(c.validUntil));

/**
 * What a person said about this use: a dataset-specific record overrides the originator-wide one; an
 * opt-out applies to every purpose; a permit only to the purposes it names (all when it names none).
 */
export function consentStatus(
  records: readonly PersonConsentView[],
  dataset: string,
  purpose: string,
  now: number,
): ConsentStatus {
  const applicable = records.filter((c) => inForce(c, now));
  const record = applicable.find((c) => c.dataset === dataset) ?? applicable.find((c) => c.dataset === '*');
  if (!record || record.decision === 'withdrawn') return 'none';
  if (record.decision === 'deny') return 'deny';
  return record.purposes.length === 0 || record.purposes.includes(purpose) ? 'permit' : 'none';
}
