import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { euvLensChainTwin } from '../../../../test/fixtures/cps/euv-lens-chain.js';
import type { InputsService } from '../inputs/inputs.service.js';
import { RunsService, type RunEvent } from './runs.service.js';
import type { Scenario } from './scenarios.service.js';

/** A twin with data in it, as InputsService would hand it over. */
const inputs = {
  state: () => ({
    twin: euvLensChainTwin,
    digest: 'sha256:test',
    lineage: [{ dataset: 'euv.lens', version: '1.0.0', events: 1, lastEventId: 'e-1' }],
  }),
} as unknown as InputsService;

const scenario: Scenario = {
  id: 'b0a1c2d3-0000-4000-8000-000000000001',
  name: 'Fluorite stop',
  createdBy: 'org-a',
  createdAt: '2026-12-02T00:00:00.000Z',
  kind: 'disruption',
  params: { stop: { country: 'CN' }, days: 60, horizonDays: 120, runs: 20 },
};

/** Follows a run until its final event. */
function followToEnd(runs: RunsService, id: string): Promise<RunEvent[]> {
  return new Promise((resolve) => {
    const heard: RunEvent[] = [];
    runs.follow(id, (event) => {
      heard.push(event);
      if (event.event !== 'progress') resolve(heard);
    });
  });
}

describe('run progress, pushed to followers', () => {
  const runs = new RunsService(inputs, pino({ level: 'silent' }));

  it('tells a follower where the run stands, every change in order, then done', async () => {
    const { id } = runs.start(scenario, { seed: 42 });
    const heard = await followToEnd(runs, id);
    // Followed before the run started: the queued state first, then each event pushed by the run.
    expect(heard[0]).toMatchObject({ event: 'progress', seq: 0, data: { status: 'queued', progress: 0 } });
    expect(heard.map((e) => e.seq)).toEqual(heard.map((_, i) => i));
    expect(heard[1]).toMatchObject({ data: { status: 'running', progress: 0, step: null } });
    // The engine reports each of the 20 Monte Carlo runs: one event each, with the units done.
    const steps = heard.filter((e) => e.data.step !== null && e.event === 'progress').map((e) => e.data.step);
    expect(steps).toEqual(Array.from({ length: 20 }, (_, i) => ({ done: i + 1, total: 20 })));
    expect(heard.at(-1)).toEqual({
      event: 'done',
      seq: heard.length - 1,
      data: { status: 'succeeded', progress: 1, step: { done: 20, total: 20 }, error: null },
    });
  });

  it('answers a finished run at once with where it stands and its final event', async () => {
    const { id } = runs.start(scenario, { seed: 1 });
    const live = await followToEnd(runs, id);
    const heard: RunEvent[] = [];
    const stop = runs.follow(id, (e) => heard.push(e));
    stop();
    expect(heard.map((e) => e.event)).toEqual(['progress', 'done']);
    expect(heard.every((e) => e.seq === live.at(-1)!.seq)).toBe(true);
    expect(heard[0]!.data).toMatchObject({ status: 'succeeded', progress: 1 });
  });

  it('stops telling a follower who stopped following, and says failed for a failing run', async () => {
    const stopped: RunEvent[] = [];
    const { id } = runs.start(scenario, { seed: 2 });
    runs.follow(id, (e) => stopped.push(e))();
    const heard = await followToEnd(runs, id);
    expect(stopped).toHaveLength(1);
    expect(heard.length).toBeGreaterThan(2);

    const broken = runs.start({
      ...scenario,
      params: { ...scenario.params, stop: { supplier: 'nobody' } },
    });
    const failed = await followToEnd(runs, broken.id);
    expect(failed.at(-1)).toMatchObject({
      event: 'failed',
      data: { status: 'failed', error: expect.any(String) },
    });
    expect(() => runs.follow('nope', () => {})).toThrow(expect.objectContaining({ code: 'RUN.NOT_FOUND' }));
  });
});
