import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { notFound } from '@renkei/domain';
import { parseOrThrow } from '@renkei/platform';
import { ScenarioSpecSchema, type ScenarioSpec } from './params.js';
import type { DefineScenario } from './scenarios.dto.js';

export type Scenario = {
  id: string;
  name: string;
  createdBy: string;
  createdAt: string;
} & ScenarioSpec;

/** Scenario definitions: what to simulate. They hold no data; runs do, on a snapshot of the twin. */
@Injectable()
export class ScenariosService {
  private readonly scenarios = new Map<string, Scenario>();

  define(body: DefineScenario, createdBy: string): Scenario {
    // Each kind has its own parameters; errors point into /params.
    const spec = parseOrThrow(
      ScenarioSpecSchema,
      { kind: body.kind, params: body.params },
      'SCENARIO.INVALID_PARAMS',
    );
    const scenario: Scenario = {
      id: randomUUID(),
      name: body.name,
      ...spec,
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
