/**
 * One form per scenario kind. The parameters of each kind are checked here with the same rules the service
 * applies (apps/cps-sim/src/scenarios/params.ts: the OpenAPI document leaves `params` open, so the rules
 * are mirrored here), before anything is sent; the service checks again and its SCENARIO.INVALID_PARAMS
 * paths (/params/...) land on the same fields.
 */
import { z } from 'zod';
import type { ScenarioKind } from './api';

export type FieldType = 'text' | 'int' | 'number';

export interface Field {
  /** Dotted path inside params (also the i18n key under cps:fields.<kind>.). */
  path: string;
  type: FieldType;
  required?: boolean;
  /** Shown in the form when the field is empty (the service's default), as a placeholder. */
  placeholder?: string;
  initial?: string;
}

export interface FieldGroup {
  /** i18n key under cps:groups. */
  legend?: string;
  /** The params path the group's own errors land on (e.g. `stop`). */
  path?: string;
  fields: Field[];
}

const SEED_MAX = 2 ** 31 - 1;
const seed = z.number().int().min(0).max(SEED_MAX);

const method = z.object({
  name: z.string().min(1).max(200),
  yield: z.number().gt(0).max(1),
  unitsPerDay: z.number().positive().finite(),
  costPerUnit: z.number().min(0).finite(),
  kWhPerUnit: z.number().min(0).finite(),
});

export const paramSchemas: Record<ScenarioKind, z.ZodType> = {
  disruption: z.object({
    stop: z
      .object({
        supplier: z.string().min(1).optional(),
        country: z
          .string()
          .regex(/^[A-Z]{2}$/, { message: 'country' })
          .optional(),
        input: z.string().min(1).optional(),
      })
      .refine((s) => s.supplier !== undefined || s.country !== undefined || s.input !== undefined, {
        message: 'stopOne',
      }),
    days: z.number().int().min(1).max(3650),
    horizonDays: z.number().int().min(1).max(3650),
    runs: z.number().int().min(1).max(10_000).optional(),
    seed: seed.optional(),
    leadTimeJitter: z.number().min(0).max(1).optional(),
    capacityNoise: z.number().min(0).max(1).optional(),
    reactionDays: z.number().int().min(0).max(3650).optional(),
  }),
  'method-switch': z.object({ base: method, alt: method }),
  'cfp-rollup': z.object({ product: z.string().min(1) }),
  'hospital-occupancy': z.object({
    horizonDays: z.number().int().min(1).max(365),
    runs: z.number().int().min(1).max(10_000).optional(),
    seed: seed.optional(),
    surge: z.number().positive().max(100).optional(),
  }),
};

const methodFields = (prefix: 'base' | 'alt', initial: Record<string, string>): Field[] => [
  { path: `${prefix}.name`, type: 'text', required: true, initial: initial.name },
  { path: `${prefix}.yield`, type: 'number', required: true, initial: initial.yield },
  { path: `${prefix}.unitsPerDay`, type: 'number', required: true, initial: initial.unitsPerDay },
  { path: `${prefix}.costPerUnit`, type: 'number', required: true, initial: initial.costPerUnit },
  { path: `${prefix}.kWhPerUnit`, type: 'number', required: true, initial: initial.kWhPerUnit },
];

export const forms: Record<ScenarioKind, FieldGroup[]> = {
  disruption: [
    {
      legend: 'stop',
      path: 'stop',
      fields: [
        { path: 'stop.country', type: 'text' },
        { path: 'stop.supplier', type: 'text' },
        { path: 'stop.input', type: 'text' },
      ],
    },
    {
      fields: [
        { path: 'days', type: 'int', required: true, initial: '60' },
        { path: 'horizonDays', type: 'int', required: true, initial: '120' },
        { path: 'runs', type: 'int', initial: '200' },
        { path: 'seed', type: 'int' },
        { path: 'leadTimeJitter', type: 'number' },
        { path: 'capacityNoise', type: 'number' },
        { path: 'reactionDays', type: 'int' },
      ],
    },
  ],
  'method-switch': [
    {
      legend: 'base',
      path: 'base',
      fields: methodFields('base', {
        name: 'EUV exposure',
        yield: '0.9',
        unitsPerDay: '100',
        costPerUnit: '10',
        kWhPerUnit: '2',
      }),
    },
    {
      legend: 'alt',
      path: 'alt',
      fields: methodFields('alt', {
        name: 'Nanoimprint',
        yield: '0.8',
        unitsPerDay: '80',
        costPerUnit: '6',
        kWhPerUnit: '0.5',
      }),
    },
  ],
  'cfp-rollup': [{ fields: [{ path: 'product', type: 'text', required: true }] }],
  'hospital-occupancy': [
    {
      fields: [
        { path: 'horizonDays', type: 'int', required: true, initial: '30' },
        { path: 'runs', type: 'int', placeholder: '200', initial: '200' },
        { path: 'seed', type: 'int' },
        { path: 'surge', type: 'number' },
      ],
    },
  ],
};

export const allFields = (kind: ScenarioKind) => forms[kind].flatMap((g) => g.fields);

export const initialValues = (kind: ScenarioKind): Record<string, string> =>
  Object.fromEntries(allFields(kind).map((f) => [f.path, f.initial ?? '']));

/** The form's strings as params: empty fields are left out, numbers parsed (a non-number stays a string). */
export function toParams(kind: ScenarioKind, values: Record<string, string>): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const field of allFields(kind)) {
    const raw = (values[field.path] ?? '').trim();
    if (raw === '') continue;
    let value: unknown = raw;
    if (field.type !== 'text') {
      const n = Number(raw.replace(/[,_\s]/g, ''));
      value = Number.isFinite(n) ? n : raw;
    }
    const parts = field.path.split('.');
    let target = params;
    for (const part of parts.slice(0, -1)) target = (target[part] ??= {}) as Record<string, unknown>;
    target[parts.at(-1)!] = value;
  }
  // A group whose fields were all left empty is still sent (empty), so its own rule speaks.
  for (const group of forms[kind]) if (group.path && !(group.path in params)) params[group.path] = {};
  return params;
}

export interface FieldIssue {
  /** Dotted path in params ('' for the whole). */
  path: string;
  /** The zod issue, to be worded by the form. */
  code: string;
  message: string;
  minimum?: number;
  maximum?: number;
  inclusive?: boolean;
  expected?: string;
}

/** Checks params as the service will: each issue with its dotted path. */
export function check(kind: ScenarioKind, params: Record<string, unknown>): FieldIssue[] {
  const parsed = paramSchemas[kind].safeParse(params);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => {
    const i = issue as unknown as Record<string, unknown>;
    return {
      path: issue.path.map(String).join('.'),
      code: issue.code,
      message: issue.message,
      minimum: typeof i.minimum === 'number' ? i.minimum : undefined,
      maximum: typeof i.maximum === 'number' ? i.maximum : undefined,
      inclusive: typeof i.inclusive === 'boolean' ? i.inclusive : undefined,
      expected: typeof i.expected === 'string' ? i.expected : undefined,
    };
  });
}

/** A service error path (/params/stop/country) as the form's dotted path (stop.country). */
export const fromPointer = (pointer: string): string | undefined =>
  pointer.startsWith('/params')
    ? pointer
        .slice('/params'.length)
        .split('/')
        .filter(Boolean)
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
        .join('.')
    : undefined;
