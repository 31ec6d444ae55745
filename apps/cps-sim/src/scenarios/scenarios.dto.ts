import { z } from 'zod';
import { ScenarioKinds, SeedSchema } from './params.js';

const when = z.string().describe('ISO 8601 date-time');

/** POST /scenarios: the parameters are checked against the kind's own schema (ScenarioSpecSchema). */
export const DefineScenarioSchema = z.object({
  name: z.string().min(1).max(200),
  kind: z.enum(ScenarioKinds),
  params: z.record(z.string(), z.unknown()).describe('The parameters of the kind (see the examples)'),
});
export type DefineScenario = z.infer<typeof DefineScenarioSchema>;

/** POST /scenarios/{id}/runs */
export const StartRunSchema = z.object({
  seed: SeedSchema.optional().describe(
    "Overrides the scenario's seed; a run with the same seed on the same twin repeats exactly",
  ),
});
export type StartRun = z.infer<typeof StartRunSchema>;

export const ScenarioSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: z.enum(ScenarioKinds),
  params: z.record(z.string(), z.unknown()),
  createdBy: z.string(),
  createdAt: when,
});
