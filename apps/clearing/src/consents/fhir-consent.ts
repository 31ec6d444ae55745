import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  badRequest,
  DomainError,
  MAX_PROVISION_DEPTH,
  MAX_PROVISIONS,
  MAX_SCOPE_VALUES,
  type ConsentPeriod,
  type ConsentProvision,
  type ErrorDetail,
  type PersonConsentView,
} from '@renkei/domain';

/**
 * HL7 FHIR R5 Consent → Renkei person consent, keeping the consent's tree: the base `decision` and every
 * `provision` (an exception with the opposite meaning of its parent, nested exceptions inside), each with
 * its scopes mapped to what the platform evaluates per record (libs/domain person-consent.ts):
 *
 * | FHIR element                        | Renkei scope                                                        |
 * | ----------------------------------- | ------------------------------------------------------------------- |
 * | provision.purpose (v3-ActReason)    | the grant's purpose (ACT_REASONS; codes without a system: as named) |
 * | provision.actor (recipient role)    | the receiving participant: reference.identifier in PARTICIPANT_SYSTEM |
 * | provision.period                    | the time of the delivery                                            |
 * | provision.dataPeriod                | the record's time (the event's occurredAt)                          |
 * | provision.resourceType/documentType | the record's type (the event's type, case-insensitive)              |
 * | provision.securityLabel, code       | the record's labels (the event's labels, by code)                  |
 * | provision.action (consentaction)    | a delivery is access + use + disclose                               |
 *
 * Everything else a provision may say (data, expression, extensions, actors in other roles or not mapped to
 * a participant, codes from unknown systems, R4's provision.type) cannot be enforced here: the Consent is
 * refused with a JSON Pointer to the element, never imported without it. https://hl7.org/fhir/R5/consent.html
 */
export const DATASET_EXTENSION = 'https://renkei.dev/fhir/StructureDefinition/consent-dataset';
/** Identifier system of Renkei participant ids, for actor references (and grantee). */
export const PARTICIPANT_SYSTEM = 'https://renkei.dev/fhir/participant-id';
/** Identifier/code system of Renkei purpose names (a purpose coding without a system means the same). */
export const PURPOSE_SYSTEM = 'https://renkei.dev/fhir/purpose';
const ACT_REASON_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const PARTICIPATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
const CONSENT_ACTION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentaction';

/** v3-ActReason purposes of use mapped to Renkei purpose names; other v3-ActReason codes are refused. */
export const ACT_REASONS: Readonly<Record<string, string>> = {
  TREAT: 'treatment',
  ETREAT: 'emergency-treatment',
  HRESCH: 'health-research',
  CLINTRCH: 'clinical-trial-research',
  PUBHLTH: 'public-health',
  HOPERAT: 'healthcare-operations',
  HPAYMT: 'payment',
  HMARKT: 'marketing',
};
/** Actor roles that name who receives the data: information recipient, primary information recipient. */
const RECIPIENT_ROLES = new Set(['IRCP', 'PRCP']);
const CONSENT_ACTIONS = new Set(['access', 'collect', 'use', 'disclose', 'correct']);

/** Longest person reference or dataset id accepted (as for an opt-out). */
const MAX_REF = 200;
/** Most Consents one Bundle may carry. */
export const MAX_ENTRIES = 1_000;
/** Most provisions one request may carry in all (with the service's 5 MB body limit: bounded work and storage). */
export const MAX_REQUEST_PROVISIONS = 10_000;

/** Consent elements that only describe (who signed, which policy text, verification...): kept, not enforced. */
const DESCRIPTIVE = new Set([
  'resourceType',
  'id',
  'meta',
  'language',
  'text',
  'contained',
  'extension',
  'identifier',
  'status',
  'category',
  'subject',
  'date',
  'period',
  'grantor',
  'manager',
  'controller',
  'sourceAttachment',
  'sourceReference',
  'regulatoryBasis',
  'policyBasis',
  'policyText',
  'verification',
  'decision',
  'provision',
  'grantee',
]);

const Period = z
  .object({
    start: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
    end: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  })
  .strict();

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
    provision: z.array(z.unknown()).optional(),
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

const escape = (p: PropertyKey) => String(p).replace(/~/g, '~0').replace(/\//g, '~1');
const pointer = (base: string, path: readonly PropertyKey[]) =>
  base + path.map((p) => `/${escape(p)}`).join('');

const toIso = (value: string | undefined) => (value ? new Date(value).toISOString() : null);

function subjectRefOf(subject: { reference?: string; identifier?: { value: string } }): string {
  if (subject.identifier?.value) return subject.identifier.value;
  return (subject.reference ?? '').replace(/^Patient\//, '');
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Collects what cannot be read (bad) apart from what cannot be enforced (unenforceable). */
class Findings {
  readonly invalid: ErrorDetail[] = [];
  readonly unenforceable: ErrorDetail[] = [];
  bad(path: string, message: string) {
    this.invalid.push({ path, message });
  }
  refuse(path: string, message: string) {
    this.unenforceable.push({ path, message });
  }
}

/** A list of codings (Coding[] or CodeableConcept[]), each with where it was; anything else is reported. */
function codingsOf(
  value: unknown,
  path: string,
  concept: boolean,
  f: Findings,
): { system?: string; code: string; path: string }[] {
  const out: { system?: string; code: string; path: string }[] = [];
  if (!Array.isArray(value) || value.length === 0) {
    f.bad(path, 'must be a non-empty array');
    return out;
  }
  if (value.length > MAX_SCOPE_VALUES) {
    f.bad(path, `at most ${MAX_SCOPE_VALUES} values`);
    return out;
  }
  value.forEach((item, i) => {
    const codings: unknown = concept ? (isObject(item) ? item.coding : undefined) : [item];
    if (!Array.isArray(codings) || codings.length === 0) {
      // A CodeableConcept with text only cannot be matched against anything.
      f.refuse(`${path}/${i}`, 'only coded values can be enforced (a coding with system and code)');
      return;
    }
    codings.forEach((c, j) => {
      const at = concept ? `${path}/${i}/coding/${j}` : `${path}/${i}`;
      if (!isObject(c) || typeof c.code !== 'string' || c.code.length === 0 || c.code.length > MAX_REF) {
        f.bad(at, 'needs a code (1-200 characters)');
        return;
      }
      if (c.system !== undefined && typeof c.system !== 'string') {
        f.bad(`${at}/system`, 'must be a string');
        return;
      }
      out.push({ ...(typeof c.system === 'string' ? { system: c.system } : {}), code: c.code, path: at });
    });
  });
  return out;
}

function periodOf(value: unknown, path: string, f: Findings): ConsentPeriod | undefined {
  const parsed = Period.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) f.bad(pointer(path, issue.path), issue.message);
    return undefined;
  }
  return { start: toIso(parsed.data.start), end: toIso(parsed.data.end) };
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

/** A participant id from a reference: only an identifier in PARTICIPANT_SYSTEM names one unambiguously. */
function participantOf(reference: unknown, path: string, f: Findings): string | null {
  const identifier = isObject(reference) ? reference.identifier : undefined;
  if (
    isObject(identifier) &&
    identifier.system === PARTICIPANT_SYSTEM &&
    typeof identifier.value === 'string' &&
    identifier.value.length > 0 &&
    identifier.value.length <= MAX_REF
  ) {
    return identifier.value;
  }
  f.refuse(
    path,
    `only a reference whose identifier has system ${PARTICIPANT_SYSTEM} and a Renkei participant id as value can be enforced`,
  );
  return null;
}

interface Budget {
  count: number;
}

/** One provision and its nested ones; every element either maps to a scope or is refused. */
function provisionOf(
  value: unknown,
  path: string,
  depth: number,
  budget: Budget,
  f: Findings,
): ConsentProvision {
  const p: ConsentProvision = {};
  budget.count += 1;
  if (!isObject(value)) {
    f.bad(path, 'must be an object');
    return p;
  }
  for (const [key, v] of Object.entries(value)) {
    const at = `${path}/${escape(key)}`;
    switch (key) {
      case 'id':
        break;
      case 'purpose': {
        const purposes: string[] = [];
        for (const c of codingsOf(v, at, false, f)) {
          if (c.system === ACT_REASON_SYSTEM) {
            const name = ACT_REASONS[c.code];
            if (name) purposes.push(name);
            else
              f.refuse(
                c.path,
                `v3-ActReason ${c.code} has no Renkei purpose (known: ${Object.keys(ACT_REASONS).join(', ')})`,
              );
          } else if (c.system === undefined || c.system === PURPOSE_SYSTEM) purposes.push(c.code);
          else f.refuse(`${c.path}/system`, `purposes from ${c.system} cannot be mapped to Renkei purposes`);
        }
        p.purposes = sorted(purposes);
        break;
      }
      case 'actor': {
        const recipients: string[] = [];
        if (!Array.isArray(v) || v.length === 0 || v.length > MAX_SCOPE_VALUES) {
          f.bad(at, `must be an array of 1-${MAX_SCOPE_VALUES} actors`);
          break;
        }
        v.forEach((actor, i) => {
          const ap = `${at}/${i}`;
          if (!isObject(actor)) return f.bad(ap, 'must be an object');
          const roles = isObject(actor.role) && Array.isArray(actor.role.coding) ? actor.role.coding : [];
          const recipient = roles.some(
            (c) => isObject(c) && c.system === PARTICIPATION_SYSTEM && RECIPIENT_ROLES.has(String(c.code)),
          );
          if (!recipient) {
            // An author, custodian or any other role is about who made or holds a record: not known per record here.
            f.refuse(
              `${ap}/role`,
              'only recipient roles (v3-ParticipationType IRCP or PRCP) can be enforced',
            );
            return;
          }
          const id = participantOf(actor.reference, `${ap}/reference`, f);
          if (id) recipients.push(id);
          for (const k of Object.keys(actor))
            if (k !== 'role' && k !== 'reference') f.refuse(`${ap}/${escape(k)}`, 'unknown actor element');
        });
        p.recipients = sorted(recipients);
        break;
      }
      case 'period':
      case 'dataPeriod': {
        const period = periodOf(v, at, f);
        if (period) p[key] = period;
        break;
      }
      case 'resourceType':
      case 'documentType': {
        const types = codingsOf(v, at, key === 'documentType', f).map((c) => c.code.toLowerCase());
        p.recordTypes = sorted([...(p.recordTypes ?? []), ...types]);
        break;
      }
      case 'securityLabel':
      case 'code': {
        const labels = codingsOf(v, at, key === 'code', f).map((c) => c.code);
        p.labels = sorted([...(p.labels ?? []), ...labels]);
        break;
      }
      case 'action': {
        const actions: string[] = [];
        for (const c of codingsOf(v, at, true, f)) {
          if (c.system === CONSENT_ACTION_SYSTEM && CONSENT_ACTIONS.has(c.code)) actions.push(c.code);
          else
            f.refuse(c.path, `only consentaction codes (${[...CONSENT_ACTIONS].join(', ')}) can be enforced`);
        }
        p.actions = sorted(actions);
        break;
      }
      case 'provision': {
        if (!Array.isArray(v)) {
          f.bad(at, 'must be an array');
          break;
        }
        if (depth >= MAX_PROVISION_DEPTH) {
          f.refuse(at, `provisions nest at most ${MAX_PROVISION_DEPTH} levels deep`);
          break;
        }
        p.provisions = v.map((child, i) => provisionOf(child, `${at}/${i}`, depth + 1, budget, f));
        break;
      }
      case 'data':
        // A reference to particular FHIR resources: records on Renkei are events, not those resources.
        (Array.isArray(v) ? v : [v]).forEach((_, i) =>
          f.refuse(
            Array.isArray(v) ? `${at}/${i}` : at,
            'data references to particular resources cannot be enforced',
          ),
        );
        break;
      case 'expression':
        f.refuse(at, 'computable expressions cannot be enforced');
        break;
      case 'type':
      case 'class':
        f.refuse(
          at,
          `'${key}' is not an R5 provision element (R5 provisions mean the opposite of their parent)`,
        );
        break;
      default:
        // extension, modifierExtension or anything unknown: it may narrow or widen, so it is not skipped.
        f.refuse(at, `'${key}' cannot be enforced`);
    }
  }
  return p;
}

function parseOne(resource: unknown, base: string, f: Findings, total: Budget): ParsedConsent | null {
  const parsed = ConsentResource.safeParse(resource);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) f.bad(pointer(base, issue.path), issue.message);
    return null;
  }
  const c = parsed.data;
  const before = f.unenforceable.length + f.invalid.length;
  for (const key of Object.keys(c)) {
    if (!DESCRIPTIVE.has(key)) f.refuse(`${base}/${escape(key)}`, `'${key}' cannot be enforced`);
  }
  // The grantee is who must comply: the originator importing it (any other party cannot be checked here).
  const grantees = (c as Json).grantee;
  if (grantees !== undefined) {
    if (!Array.isArray(grantees)) f.bad(`${base}/grantee`, 'must be an array');
    else grantees.forEach((g, i) => participantOf(g, `${base}/grantee/${i}`, f));
  }
  const budget: Budget = { count: 0 };
  const provisions = (c.provision ?? []).map((p, i) =>
    provisionOf(p, `${base}/provision/${i}`, 1, budget, f),
  );
  if (budget.count > MAX_PROVISIONS) {
    f.refuse(`${base}/provision`, `at most ${MAX_PROVISIONS} provisions per Consent (${budget.count} given)`);
  }
  total.count += budget.count;
  const dataset = c.extension?.find((e) => e.url === DATASET_EXTENSION)?.valueString ?? '*';
  const inForce = c.status === 'active';
  if (f.unenforceable.length + f.invalid.length > before) return null;
  return {
    subjectRef: subjectRefOf(c.subject),
    consentId: c.id ? `fhir:${c.id}` : `fhir-anonymous:${randomUUID()}`,
    dataset,
    // A consent not (or no longer) in force counts as no consent at all.
    decision: inForce ? c.decision : 'withdrawn',
    provisions,
    validFrom: toIso(c.period?.start),
    validUntil: toIso(c.period?.end),
    fhirId: c.id ?? null,
    source: c,
    datasetPath: `${base}/extension`,
  };
}

/** Grantees other than the importer itself: checked by the caller, who knows who imports. */
export function granteesOf(consent: ParsedConsent): { id: string; path: string }[] {
  const grantees = (consent.source as Json).grantee;
  if (!Array.isArray(grantees)) return [];
  const base = consent.datasetPath?.replace(/\/extension$/, '') ?? '';
  return grantees.flatMap((g, i) => {
    const identifier = isObject(g) ? g.identifier : undefined;
    return isObject(identifier) && typeof identifier.value === 'string'
      ? [{ id: identifier.value, path: `${base}/grantee/${i}` }]
      : [];
  });
}

/**
 * A Consent or a Bundle of Consents; every problem is reported with its JSON Pointer, nothing is half-read.
 * What is malformed is a 400 (FHIR.INVALID_CONSENT); what is well formed but cannot be enforced is a 422
 * (FHIR.CONSENT_NOT_ENFORCEABLE): importing it without the element could turn a refusal into a permit.
 */
export function parseFhirConsents(body: unknown): ParsedConsent[] {
  const f = new Findings();
  const total: Budget = { count: 0 };
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
    consents = bundle.data.entry.map((e, i) => parseOne(e.resource, `/entry/${i}/resource`, f, total));
  } else {
    consents = [parseOne(body, '', f, total)];
  }
  if (total.count > MAX_REQUEST_PROVISIONS) {
    f.refuse(
      '/entry',
      `at most ${MAX_REQUEST_PROVISIONS} provisions per request (${total.count} given); send smaller Bundles`,
    );
  }
  if (f.invalid.length > 0) {
    throw badRequest(
      'FHIR.INVALID_CONSENT',
      'The FHIR R5 Consent resources are not valid; nothing was recorded',
      [...f.invalid, ...f.unenforceable],
      'Send R5 Consent resources with status, subject (identifier.value or reference), decision (permit|deny) and optional period and provisions',
    );
  }
  if (f.unenforceable.length > 0) {
    throw new DomainError(
      'FHIR.CONSENT_NOT_ENFORCEABLE',
      'unprocessable',
      'Some Consent elements cannot be enforced by Renkei; nothing was recorded',
      {
        details: f.unenforceable,
        hint: 'Express each listed restriction with an element Renkei enforces (purpose, recipient actor, period, dataPeriod, resourceType, securityLabel, action; see docs/security/consent.md), or keep that person out of the shared datasets with an opt-out',
      },
    );
  }
  return consents.filter((c): c is ParsedConsent => c !== null);
}
