/**
 * A person's consents for their health records held by one originator, read with HL7 FHIR R5 Consent
 * semantics (https://hl7.org/fhir/R5/consent.html):
 * - `decision` is the base answer, for every use the consent does not say otherwise about;
 * - each provision is an EXCEPTION to its parent with the opposite meaning (R5 has no provision.type): under
 *   a permit base a provision denies, under a deny base it permits; a nested provision is an exception to
 *   its parent exception (its meaning flips again);
 * - a provision applies to a use when every scope it states matches (purpose, recipient, period of use,
 *   record time, record type, record label, action); a scope it does not state matches everything;
 * - several consents in force for one person combine with the most restrictive answer winning
 *   (deny > none > permit): a later permit never silently replaces an earlier deny; only the same consent
 *   (same FHIR id) replaces itself.
 * The importer (clearing) refuses every element it cannot map to one of these scopes, so nothing a person
 * said is dropped on the way here. Evaluation is pure, bounded by the import's limits (MAX_PROVISION_DEPTH,
 * MAX_PROVISIONS) and never widens: when sibling exceptions disagree, deny wins.
 */

/** Most levels of nested provisions one consent may carry. */
export const MAX_PROVISION_DEPTH = 4;
/** Most provisions (at every level together) one consent may carry. */
export const MAX_PROVISIONS = 64;
/** Most codes (purposes, recipients, types, labels, actions) one provision scope may list. */
export const MAX_SCOPE_VALUES = 32;
/** Most consents in force per person and originator (each import beyond it is refused). */
export const MAX_CONSENTS_PER_PERSON = 64;

export interface ConsentPeriod {
  start: string | null;
  end: string | null;
}

/**
 * One exception (FHIR `provision`). Each scope present narrows where it applies; values within one scope
 * are alternatives. Renkei names, already mapped from FHIR codes by the importer.
 */
export interface ConsentProvision {
  /** Renkei purposes (v3-ActReason codes mapped); a purpose also covers its specialisations. */
  purposes?: string[];
  /** Participant ids of the recipients (`actor` with a recipient role). */
  recipients?: string[];
  /** When the use happens (`period`). */
  period?: ConsentPeriod;
  /** When the record was made: the event's occurredAt (`dataPeriod`). */
  dataPeriod?: ConsentPeriod;
  /** Record (event) types (`resourceType`, `documentType`), lower case. */
  recordTypes?: string[];
  /** Record labels (`securityLabel` and `code` codes), as publishers label events. */
  labels?: string[];
  /** consentaction codes (`action`); a delivery is access, use and disclosure. */
  actions?: string[];
  provisions?: ConsentProvision[];
}

/**
 * One consent of one person, as every service sees it (clearing's `person-consent.changed` events; the
 * source of truth is an HL7 FHIR R5 Consent, or an opt-out or erasure recorded by Renkei).
 */
export interface PersonConsentView {
  originator: string;
  /** The person's pseudonymous reference, as in the event envelope's `subject`. */
  subjectRef: string;
  /** Which consent this is: `fhir:<Consent.id>`, or `renkei:opt-out:<dataset>` etc. Same id = an update. */
  consentId: string;
  /** A dataset id, or "*" for every dataset of the originator. */
  dataset: string;
  /**
   * The base answer (FHIR `decision`): permit: identified use; deny: nothing about the person is delivered;
   * withdrawn: the consent was withdrawn or entered in error — as if there were none.
   */
  decision: 'permit' | 'deny' | 'withdrawn';
  /** Exceptions to the decision (nested exceptions inside). */
  provisions: ConsentProvision[];
  /** Consent.period: outside it, the consent says nothing. */
  validFrom: string | null;
  validUntil: string | null;
  recordedAt: string;
}

export type ConsentStatus = 'permit' | 'deny' | 'none';
type Answer = 'permit' | 'deny';

/** One use of one record: who receives it, why, when, and what the record is. */
export interface ConsentUse {
  dataset: string;
  purpose: string;
  /** The receiving participant's id. */
  recipient: string;
  /** Epoch ms of the use. */
  now: number;
  /** The record's type (envelope `type`), labels (envelope `labels`) and time (occurredAt, epoch ms). */
  record: { type: string; labels: readonly string[]; at: number };
}

/** What a delivery is in consentaction terms: access, use and disclose all happen. */
export const DELIVERY_ACTIONS: ReadonlySet<string> = new Set(['access', 'use', 'disclose']);

/** Purposes that include narrower ones (v3-ActReason's hierarchy, for the codes Renkei maps). */
export const PURPOSE_SPECIALISATIONS: Readonly<Record<string, readonly string[]>> = {
  treatment: ['emergency-treatment'],
  'health-research': ['clinical-trial-research'],
};

/** Periods parsed once per period object (consents are evaluated for every record delivered). */
const bounds = new WeakMap<ConsentPeriod, [number, number]>();

/** Whether `at` is in the period; null when a bound cannot be read (only a forged event has one). */
function within(p: ConsentPeriod | undefined, at: number): boolean | null {
  if (!p) return true;
  let b = bounds.get(p);
  if (!b) {
    b = [p.start === null ? -Infinity : Date.parse(p.start), p.end === null ? Infinity : Date.parse(p.end)];
    bounds.set(p, b);
  }
  if (Number.isNaN(b[0]) || Number.isNaN(b[1])) return null;
  return b[0] <= at && at < b[1];
}

const validity = new WeakMap<PersonConsentView, ConsentPeriod>();
const validityOf = (c: PersonConsentView) => {
  let v = validity.get(c);
  if (!v) validity.set(c, (v = { start: c.validFrom, end: c.validUntil }));
  return v;
};

const purposeMatches = (purposes: readonly string[], purpose: string) =>
  purposes.some((p) => p === purpose || (PURPOSE_SPECIALISATIONS[p]?.includes(purpose) ?? false));

/**
 * Whether an exception with this meaning applies to the use. `period` is, by definition, when the provision
 * is valid (the time of use), yet R5's own notTime example uses it for "data from a time frame": a deny
 * exception therefore also applies when the record was made in its period (it may only withhold more), a
 * permit exception only when the use falls in it (it may only permit less).
 */
function applies(p: ConsentProvision, use: ConsentUse, meaning: Answer): boolean {
  // An unreadable period makes a deny exception apply and a permit exception not: never wider.
  const inUse = within(p.period, use.now) ?? meaning === 'deny';
  const periodMatches =
    inUse || (meaning === 'deny' && p.period !== undefined && within(p.period, use.record.at) !== false);
  const dataMatches = within(p.dataPeriod, use.record.at) ?? meaning === 'deny';
  return (
    (p.purposes === undefined || purposeMatches(p.purposes, use.purpose)) &&
    (p.recipients === undefined || p.recipients.includes(use.recipient)) &&
    periodMatches &&
    dataMatches &&
    (p.recordTypes === undefined || p.recordTypes.includes(use.record.type.toLowerCase())) &&
    (p.labels === undefined || p.labels.some((l) => use.record.labels.includes(l))) &&
    (p.actions === undefined || p.actions.some((a) => DELIVERY_ACTIONS.has(a)))
  );
}

const opposite = (a: Answer): Answer => (a === 'permit' ? 'deny' : 'permit');

/** The answer of a node whose meaning is `meaning`, given its exceptions; deny wins among siblings. */
function answerOf(
  meaning: Answer,
  provisions: readonly ConsentProvision[],
  use: ConsentUse,
  depth: number,
): Answer {
  let answer: Answer | null = null;
  // The importer bounds depth; a deeper tree (a forged event) is read as deny, never as a permit.
  if (depth > MAX_PROVISION_DEPTH) return 'deny';
  const exception = opposite(meaning);
  for (const p of provisions) {
    if (!applies(p, use, exception)) continue;
    const sub = answerOf(exception, p.provisions ?? [], use, depth + 1);
    if (sub === 'deny') return 'deny';
    answer = sub;
  }
  return answer ?? meaning;
}

/** One consent's answer for a use, or null when it says nothing about it (withdrawn, out of period, other dataset). */
export function evaluateConsent(c: PersonConsentView, use: ConsentUse): Answer | null {
  if (c.decision === 'withdrawn') return null;
  if (c.dataset !== '*' && c.dataset !== use.dataset) return null;
  const valid = within(validityOf(c), use.now);
  // A consent whose own period cannot be read (a forged event) is read as a deny, never ignored.
  if (valid === null) return 'deny';
  if (!valid) return null;
  return answerOf(c.decision, c.provisions, use, 1);
}

/**
 * What a person's consents say about one use of one record: deny when any consent in force denies it,
 * permit when one permits it and none denies, none when no consent speaks to it.
 */
export function consentStatus(records: readonly PersonConsentView[], use: ConsentUse): ConsentStatus {
  let status: ConsentStatus = 'none';
  for (const c of records) {
    const answer = evaluateConsent(c, use);
    if (answer === 'deny') return 'deny';
    if (answer === 'permit') status = 'permit';
  }
  return status;
}

/**
 * A consent event as an older clearing wrote it (decision + purposes, before provisions were kept): such a
 * record was produced by reading provisions as the scope of the decision, so a permit naming purposes may
 * stand for "permit except those purposes". It is read as a deny until the originator imports it again;
 * one without purposes meant the same in both readings.
 */
export function normaliseConsent(c: PersonConsentView & { purposes?: string[] }): PersonConsentView {
  if (Array.isArray(c.provisions) && typeof c.consentId === 'string') return c;
  const { purposes, ...rest } = c;
  return {
    ...rest,
    consentId: `legacy:${c.dataset}`,
    decision: c.decision === 'permit' && (purposes?.length ?? 0) > 0 ? 'deny' : c.decision,
    provisions: [],
  };
}
