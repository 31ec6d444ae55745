import { z } from 'zod';

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

/**
 * A scenario's kind and the parameters of that kind, keyed by kind: once `kind` is known, so is the shape
 * of `params`, and the engine is called with exactly what it takes.
 */
export const ScenarioSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('disruption'), params: DisruptionParamsSchema }),
  z.object({ kind: z.literal('method-switch'), params: MethodSwitchParamsSchema }),
  z.object({ kind: z.literal('cfp-rollup'), params: CfpRollupParamsSchema }),
  z.object({ kind: z.literal('hospital-occupancy'), params: OccupancyParamsSchema }),
]);
export type ScenarioSpec = z.infer<typeof ScenarioSpecSchema>;
export type ScenarioKind = ScenarioSpec['kind'];
/** Every kind, in the union's order (the OpenAPI enum). */
export const ScenarioKinds: readonly ScenarioKind[] = ScenarioSpecSchema.options.map(
  (o) => o.shape.kind.value,
);

/** Kinds whose outcome depends on random draws: a run fixes the seed so it can be repeated exactly. */
export type SeededSpec = Extract<ScenarioSpec, { kind: 'disruption' | 'hospital-occupancy' }>;
export const isSeeded = (spec: ScenarioSpec): spec is SeededSpec =>
  spec.kind === 'disruption' || spec.kind === 'hospital-occupancy';

/** What a run executes: the scenario, with the seed fixed for the kinds that draw at random. */
export type RunSpec = Exclude<ScenarioSpec, SeededSpec> | (SeededSpec & { params: { seed: number } });

/** The run's spec and seed: the override, else the scenario's own seed, else a fresh one (null: no draws). */
export function fixSeed(
  spec: ScenarioSpec,
  override: number | undefined,
  fresh: () => number,
): { spec: RunSpec; seed: number | null } {
  switch (spec.kind) {
    case 'disruption': {
      const fixed = override ?? spec.params.seed ?? fresh();
      return { spec: { kind: spec.kind, params: { ...spec.params, seed: fixed } }, seed: fixed };
    }
    case 'hospital-occupancy': {
      const fixed = override ?? spec.params.seed ?? fresh();
      return { spec: { kind: spec.kind, params: { ...spec.params, seed: fixed } }, seed: fixed };
    }
    case 'method-switch':
      return { spec: { kind: spec.kind, params: { ...spec.params } }, seed: null };
    case 'cfp-rollup':
      return { spec: { kind: spec.kind, params: { ...spec.params } }, seed: null };
  }
}
