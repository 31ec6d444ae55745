/** The top level of an imported ODCS document: its shape, and the contract terms read from it. */
import { z } from 'zod';
import {
  badRequest,
  isDatasetId,
  type ContractDomain,
  type ContractStatus,
  type ErrorDetail,
} from '@renkei/domain';
import { CustomPropertySchema, invalid, type Ctx, type customPropertyMap } from './import-context.js';
import { OdcsErrorCodes, RenkeiProperties } from './types.js';

const PURPOSE = /^[a-z][a-z0-9-]{1,60}$/;

export const KNOWN_TOP_LEVEL = new Set([
  'version',
  'kind',
  'apiVersion',
  'id',
  'name',
  'tenant',
  'tags',
  'status',
  'servers',
  'dataProduct',
  'description',
  'domain',
  'schema',
  'support',
  'price',
  'team',
  'roles',
  'slaDefaultElement',
  'slaProperties',
  'authoritativeDefinitions',
  'customProperties',
  'contractCreatedTs',
]);

export const DocumentSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  id: z.string().min(1),
  version: z.string({ error: 'must be a string: quote it, e.g. version: "1.0.0"' }).min(1),
  status: z.string().min(1),
  name: z.string().optional(),
  tenant: z.string().optional(),
  domain: z.string().optional(),
  dataProduct: z.string().optional(),
  description: z
    .looseObject({
      usage: z.string().optional(),
      purpose: z.string().optional(),
      limitations: z.string().optional(),
    })
    .optional(),
  tags: z.array(z.string()).optional(),
  schema: z
    .array(
      z.looseObject({
        name: z.string().min(1),
        logicalType: z.string().optional(),
        properties: z.array(z.unknown()).optional(),
        customProperties: z.array(CustomPropertySchema).optional(),
      }),
    )
    .optional(),
  slaProperties: z
    .array(
      z.looseObject({
        property: z.string().min(1),
        value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
        unit: z.string().optional(),
        element: z.string().optional(),
      }),
    )
    .optional(),
  customProperties: z.array(CustomPropertySchema).optional(),
});
export type ParsedDocument = z.infer<typeof DocumentSchema>;

export const STATUS_MAP: Record<string, ContractStatus> = {
  proposed: 'draft',
  draft: 'draft',
  active: 'active',
  deprecated: 'deprecated',
  retired: 'retired',
};

const DOMAIN_SYNONYMS: Record<ContractDomain, readonly string[]> = {
  'supply-chain': ['supply-chain', 'supplychain', 'scm', 'procurement', 'sourcing', 'manufacturing'],
  logistics: ['logistics', 'transport', 'transportation', 'shipping', 'freight', 'warehousing'],
  energy: ['energy', 'power', 'electricity', 'utilities', 'grid'],
  health: ['health', 'healthcare', 'health-care', 'medical', 'clinical', 'hospital'],
  other: ['other'],
};

export function mapDomain(domain: string | undefined, warnings: string[]): ContractDomain {
  if (domain === undefined) {
    warnings.push("/domain is absent: domain 'other' is used");
    return 'other';
  }
  const key = domain
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  for (const [ours, names] of Object.entries(DOMAIN_SYNONYMS) as [ContractDomain, readonly string[]][]) {
    if (names.includes(key)) return ours;
  }
  warnings.push(`/domain '${domain}' does not map to a Renkei domain: 'other' is used`);
  return 'other';
}

function toDatasetId(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '.')
    .replace(/^[.-]+|[.-]+$/g, '');
}

export function datasetIdOf(
  doc: ParsedDocument,
  custom: ReturnType<typeof customPropertyMap>,
  ctx: Ctx,
): string {
  const hint =
    "Add a custom property {property: renkei.dataset, value: '<domain>.<name>'}, e.g. logistics.shipments: a dotted lower-case name of 2 to 5 segments";
  const explicit = custom.get(RenkeiProperties.dataset);
  if (explicit) {
    if (typeof explicit.value === 'string' && isDatasetId(explicit.value)) return explicit.value;
    throw badRequest(
      OdcsErrorCodes.invalidDatasetId,
      'The dataset id in the ODCS document is not valid',
      [{ path: explicit.path, message: 'must be a dotted lower-case name, e.g. battery.cfp' }],
      hint,
    );
  }
  const details: ErrorDetail[] = [];
  for (const key of ['dataProduct', 'name'] as const) {
    const source = doc[key];
    if (source === undefined) continue;
    const derived = toDatasetId(source);
    if (isDatasetId(derived)) {
      ctx.warnings.push(
        `/${key}: dataset id '${derived}' derived from '${source}' (add renkei.dataset to choose it)`,
      );
      return derived;
    }
    details.push({ path: `/${key}`, message: `'${source}' does not make a dataset id (got '${derived}')` });
  }
  if (details.length === 0) {
    details.push({ path: '/dataProduct', message: 'is missing, and so are renkei.dataset and name' });
  }
  throw badRequest(
    OdcsErrorCodes.invalidDatasetId,
    'The ODCS document names no usable dataset id',
    details,
    hint,
  );
}

export function purposesOf(custom: ReturnType<typeof customPropertyMap>): string[] {
  const entry = custom.get(RenkeiProperties.purposes);
  const hint =
    "Add a custom property {property: renkei.purposes, value: [<purpose>, ...]}: the purposes consumers may request a grant for, e.g. ['cfp-disclosure']";
  if (!entry || (Array.isArray(entry.value) && entry.value.length === 0)) {
    throw badRequest(
      OdcsErrorCodes.missingPurposes,
      'The ODCS document names no allowed purposes',
      [{ path: '/customProperties', message: `needs a non-empty '${RenkeiProperties.purposes}' list` }],
      hint,
    );
  }
  if (!Array.isArray(entry.value)) {
    throw invalid(entry.path, 'must be a list of purposes', hint);
  }
  const purposes: string[] = [];
  entry.value.forEach((p, i) => {
    if (typeof p !== 'string' || !PURPOSE.test(p)) {
      throw invalid(
        `${entry.path}/${i}`,
        'must be a lower-case purpose name (letters, digits, hyphens; 2–61 characters)',
        hint,
      );
    }
    purposes.push(p);
  });
  return purposes;
}

const RETENTION_UNITS: Record<string, { days: number; approximate?: boolean }> = {
  d: { days: 1 },
  day: { days: 1 },
  days: { days: 1 },
  w: { days: 7 },
  week: { days: 7 },
  weeks: { days: 7 },
  m: { days: 30, approximate: true },
  mo: { days: 30, approximate: true },
  month: { days: 30, approximate: true },
  months: { days: 30, approximate: true },
  y: { days: 365, approximate: true },
  yr: { days: 365, approximate: true },
  yrs: { days: 365, approximate: true },
  year: { days: 365, approximate: true },
  years: { days: 365, approximate: true },
};

export function retentionOf(doc: ParsedDocument, ctx: Ctx): number | null {
  const entries = (doc.slaProperties ?? [])
    .map((sla, i) => ({ sla, i }))
    .filter(({ sla }) => ['retention', 're'].includes(sla.property.toLowerCase()));
  const found = entries[0];
  if (!found) return null;
  if (entries.length > 1) {
    ctx.warnings.push(`/slaProperties/${found.i}: several retention entries; the first one is used`);
  }
  const { sla, i } = found;
  const value = typeof sla.value === 'string' ? Number(sla.value) : sla.value;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalid(
      `/slaProperties/${i}/value`,
      'must be a positive number',
      'Give retention as a number with a unit, e.g. {property: retention, value: 365, unit: d}',
    );
  }
  const unitName = (sla.unit ?? 'd').trim().toLowerCase();
  if (sla.unit === undefined) ctx.warnings.push(`/slaProperties/${i}: retention has no unit; days assumed`);
  const unit = RETENTION_UNITS[unitName];
  if (!unit) {
    throw invalid(
      `/slaProperties/${i}/unit`,
      `unknown unit '${sla.unit ?? ''}'`,
      'Use d (days), w (weeks), m (months) or y (years), as ODCS suggests',
    );
  }
  const days = Math.ceil(value * unit.days);
  if (unit.approximate) {
    ctx.warnings.push(`/slaProperties/${i}: retention ${value} ${sla.unit ?? ''} read as ${days} days`);
  }
  return days;
}
