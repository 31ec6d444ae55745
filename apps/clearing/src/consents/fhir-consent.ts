import { z } from 'zod';
import { badRequest, type ErrorDetail, type PersonConsentView } from '#libs/domain';

/**
 * HL7 FHIR R5 Consent → Renkei person consent. Only the elements that decide a use are read:
 * `status`, `subject`, `decision`, `period`, `provision[].purpose` and the dataset extension; anything else
 * is kept verbatim as the source record. https://hl7.org/fhir/R5/consent.html
 */
export const DATASET_EXTENSION = 'https://renkei.dev/fhir/StructureDefinition/consent-dataset';

/** v3-ActReason purposes of use, mapped to Renkei purpose names; other codes are used as they are. */
const ACT_REASONS: Record<string, string> = {
  TREAT: 'treatment',
  HRESCH: 'health-research',
  PUBHLTH: 'public-health',
  HOPERAT: 'healthcare-operations',
  HPAYMT: 'payment',
  CLINTRCH: 'clinical-trial-research',
};

/** Longest person reference or dataset id accepted (as for an opt-out). */
const MAX_REF = 200;
/** Most Consents one Bundle may carry. */
export const MAX_ENTRIES = 1_000;

const Coding = z.object({ system: z.string().optional(), code: z.string().min(1) }).loose();
const Period = z.object({
  start: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  end: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
});

const ConsentResource = z
  .object({
    resourceType: z.literal('Consent'),
    id: z.string().max(64).optional(),
    status: z.enum(['draft', 'active', 'inactive', 'not-done', 'entered-in-error', 'unknown']),
    subject: z
      .object({
        reference: z.string().max(MAX_REF).optional(),
        identifier: z
          .object({ system: z.string().optional(), value: z.string().min(1).max(MAX_REF) })
          .loose()
          .optional(),
      })
      .loose()
      .refine((s) => s.reference ?? s.identifier?.value, 'needs identifier.value or reference'),
    decision: z.enum(['permit', 'deny']),
    period: Period.optional(),
    date: z.string().optional(),
    provision: z.array(z.object({ purpose: z.array(Coding).optional() }).loose()).optional(),
    extension: z
      .array(z.object({ url: z.string(), valueString: z.string().max(MAX_REF).optional() }).loose())
      .optional(),
  })
  .loose();

const Bundle = z
  .object({
    resourceType: z.literal('Bundle'),
    entry: z
      .array(z.object({ resource: z.unknown() }).loose())
      .min(1)
      .max(MAX_ENTRIES),
  })
  .loose();

export type ParsedConsent = Omit<PersonConsentView, 'originator' | 'recordedAt'> & {
  fhirId: string | null;
  source: Record<string, unknown>;
  /** JSON Pointer to where the dataset was read from (reported when it is not the importer's). */
  datasetPath?: string;
};

const pointer = (base: string, path: readonly PropertyKey[]) =>
  base + path.map((p) => `/${String(p)}`).join('');

const toIso = (value: string | undefined) => (value ? new Date(value).toISOString() : null);

function subjectRefOf(subject: { reference?: string; identifier?: { value: string } }): string {
  if (subject.identifier?.value) return subject.identifier.value;
  return (subject.reference ?? '').replace(/^Patient\//, '');
}

function parseOne(resource: unknown, base: string, details: ErrorDetail[]): ParsedConsent | null {
  const parsed = ConsentResource.safeParse(resource);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      details.push({ path: pointer(base, issue.path), message: issue.message });
    return null;
  }
  const c = parsed.data;
  const purposes = (c.provision ?? []).flatMap((p) =>
    (p.purpose ?? []).map((coding) => ACT_REASONS[coding.code] ?? coding.code.toLowerCase()),
  );
  const dataset = c.extension?.find((e) => e.url === DATASET_EXTENSION)?.valueString ?? '*';
  const inForce = c.status === 'active';
  return {
    subjectRef: subjectRefOf(c.subject),
    dataset,
    // A consent not (or no longer) in force counts as no consent at all.
    decision: inForce ? c.decision : 'withdrawn',
    purposes: [...new Set(purposes)].sort(),
    validFrom: toIso(c.period?.start),
    validUntil: toIso(c.period?.end),
    fhirId: c.id ?? null,
    source: c,
    datasetPath: `${base}/extension`,
  };
}

/** A Consent or a Bundle of Consents; every problem is reported with its JSON Pointer, nothing is half-read. */
export function parseFhirConsents(body: unknown): ParsedConsent[] {
  const details: ErrorDetail[] = [];
  const type = (body as { resourceType?: unknown } | null)?.resourceType;
  let consents: (ParsedConsent | null)[];
  if (type === 'Bundle') {
    const bundle = Bundle.safeParse(body);
    if (!bundle.success) {
      throw badRequest(
        'FHIR.INVALID_RESOURCE',
        'The Bundle is not valid',
        bundle.error.issues.map((i) => ({ path: pointer('', i.path), message: i.message })),
      );
    }
    consents = bundle.data.entry.map((e, i) => parseOne(e.resource, `/entry/${i}/resource`, details));
  } else {
    consents = [parseOne(body, '', details)];
  }
  if (details.length > 0) {
    throw badRequest(
      'FHIR.INVALID_CONSENT',
      'The FHIR R5 Consent resources are not valid; nothing was recorded',
      details,
      'Send R5 Consent resources with status, subject (identifier.value or reference), decision (permit|deny) and optional period and provision.purpose',
    );
  }
  return consents.filter((c): c is ParsedConsent => c !== null);
}
