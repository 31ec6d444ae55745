import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { notFound } from '#libs/domain';
import { parseOrThrow } from '#libs/platform';
import { paramSchemas, ScenarioKinds, SeedSchema, type ScenarioKind } from './params.js';

export const DefineScenarioSchema = z.object({
  name: z.string().min(1).max(200),
  kind: z.enum(ScenarioKinds),
  params: z.record(z.string(), z.unknown()).describe('The parameters of the kind (see the examples)'),
});
export type DefineScenario = z.infer<typeof DefineScenarioSchema>;

export const StartRunSchema = z.object({
  seed: SeedSchema.optional().describe(
    "Overrides the scenario's seed; a run with the same seed on the same twin repeats exactly",
  ),
});
export type StartRun = z.infer<typeof StartRunSchema>;

export interface Scenario {
  id: string;
  name: string;
  kind: ScenarioKind;
  params: Record<string, unknown>;
  createdBy: string;
  createdAt: string;
}

/** Scenario definitions: what to simulate. They hold no data; runs do, on a snapshot of the twin. */
export class ScenariosService {
  private readonly scenarios = new Map<string, Scenario>();

  define(body: DefineScenario, createdBy: string): Scenario {
    // Each kind has its own parameters; errors point into /params.
    const params = parseOrThrow(
      z.object({ params: paramSchemas[body.kind] }),
      { params: body.params },
      'SCENARIO.INVALID_PARAMS',
    ).params as Record<string, unknown>;
    const scenario: Scenario = {
      id: randomUUID(),
      name: body.name,
      kind: body.kind,
      params,
      createdBy,
      createdAt: new Date().toISOString(),
    };
    this.scenarios.set(scenario.id, scenario);
    return scenario;
  }

  list(): Scenario[] {
    return [...this.scenarios.values()];
  }

  get(id: string): Scenario {
    const scenario = this.scenarios.get(id);
    if (!scenario) {
      throw notFound('SCENARIO.NOT_FOUND', `No scenario ${id}`, 'List scenarios with GET /scenarios');
    }
    return scenario;
  }
}
