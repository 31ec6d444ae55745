import { z } from 'zod';

export const ScenarioKinds = ['disruption', 'method-switch', 'cfp-rollup', 'hospital-occupancy'] as const;
export type ScenarioKind = (typeof ScenarioKinds)[number];

/** A run's seed: the same seed on the same twin gives the same result. */
export const SeedSchema = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);

export const DisruptionParamsSchema = z.object({
  stop: z
    .object({
      supplier: z.string().min(1).optional().describe('Facility id of the supplier that stops'),
      country: z
        .string()
        .regex(/^[A-Z]{2}$/)
        .optional()
        .describe('Every supplier in this country stops'),
      input: z.string().min(1).optional().describe('Only this input material stops'),
    })
    .refine((s) => s.supplier !== undefined || s.country !== undefined || s.input !== undefined, {
      message: 'name at least one of supplier, country, input',
    }),
  days: z.number().int().min(1).max(3650).describe('How long the supply stops'),
  horizonDays: z.number().int().min(1).max(3650).describe('How far ahead to simulate'),
  runs: z.number().int().min(1).max(10_000).optional().describe('Monte Carlo runs'),
  seed: SeedSchema.optional(),
  leadTimeJitter: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('Each lead time varies by up to ± this fraction'),
  capacityNoise: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('Each facility-day capacity varies by up to ± this'),
  reactionDays: z.number().int().min(0).max(3650).optional().describe('Days before alternatives ramp up'),
});

/** One production method, per unit started (see compareMethods in #libs/simulation). */
export const ProcessMethodSchema = z.object({
  name: z.string().min(1).max(200),
  yield: z.number().gt(0).max(1).describe('Share of the units started that come out good, in (0, 1]'),
  unitsPerDay: z.number().positive().finite().describe('Units started per day'),
  costPerUnit: z.number().min(0).finite().describe('Cost per unit started'),
  kWhPerUnit: z.number().min(0).finite().describe('Energy per unit started, kWh'),
});
export const MethodSwitchParamsSchema = z.object({ base: ProcessMethodSchema, alt: ProcessMethodSchema });
export const CfpRollupParamsSchema = z.object({ product: z.string().min(1) });
export const OccupancyParamsSchema = z.object({
  horizonDays: z.number().int().min(1).max(365),
  runs: z.number().int().min(1).max(10_000).default(200),
  seed: SeedSchema.optional(),
  surge: z
    .number()
    .positive()
    .max(100)
    .optional()
    .describe('Admissions multiplier, e.g. 1.3 for a 30 % surge'),
});

export const paramSchemas = {
  disruption: DisruptionParamsSchema,
  'method-switch': MethodSwitchParamsSchema,
  'cfp-rollup': CfpRollupParamsSchema,
  'hospital-occupancy': OccupancyParamsSchema,
} satisfies Record<ScenarioKind, z.ZodType>;

/** Kinds whose outcome depends on random draws: a run fixes the seed so it can be repeated exactly. */
export const seeded: ReadonlySet<ScenarioKind> = new Set(['disruption', 'hospital-occupancy']);
