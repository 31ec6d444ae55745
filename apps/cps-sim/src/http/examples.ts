/** Examples for the OpenAPI document (and the README): one fluorite disruption, end to end. */
const runId = '0b8f3c1e-7a52-4c2e-9d0a-5f1e2b3c4d5e';
const scenarioId = '6d1a2b3c-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

export const problem = (status: number, code: string, detail: string, hint: string, instance: string) => ({
  type: `urn:renkei:error:${code}`,
  title: code,
  status,
  code,
  detail,
  hint,
  instance,
});

export const inputExample = {
  dataset: 'euv.supply',
  purpose: 'supply-risk',
  grant: { id: '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b', state: 'granted' },
  state: 'streaming',
  eventsApplied: 42,
  lastEventId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  positions: { '0': '17', '1': '12', '2': '11' },
  contractVersions: ['1.0.0'],
  lastError: null,
};

export const requestInputExample = { dataset: 'euv.supply', purpose: 'supply-risk' };

export const twinExample = {
  asOf: '2026-11-21T09:00:00.000Z',
  digest: 'sha256:5f1e2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8',
  counts: { facilities: 6, bom: 5, links: 7, hospitals: 0 },
  inputs: [
    {
      dataset: 'euv.supply',
      version: '1.0.0',
      events: 42,
      lastEventId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      originators: ['8c7d6e5f-4a3b-4c2d-9e1f-0a9b8c7d6e5f'],
    },
  ],
  sources: [{ dataset: 'euv.supply', lastEventId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', events: 42 }],
};

export const rebuildExample = {
  before: twinExample.digest,
  after: twinExample.digest,
  events: 42,
  identical: true,
};

export const disruptionScenarioExample = {
  name: 'Fluorite: Chinese mines stop for 60 days',
  kind: 'disruption',
  params: { stop: { country: 'CN', input: 'fluorite' }, days: 60, horizonDays: 180, runs: 200, seed: 7 },
};

export const scenarioExample = {
  id: scenarioId,
  ...disruptionScenarioExample,
  createdBy: '1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b',
  createdAt: '2026-11-21T09:00:00.000Z',
};

export const runExample = {
  id: runId,
  scenario: scenarioId,
  name: disruptionScenarioExample.name,
  kind: 'disruption',
  status: 'running',
  progress: 0.35,
  startedAt: '2026-11-21T09:01:00.000Z',
  finishedAt: null,
  inputs: twinExample.inputs,
  twin: { digest: twinExample.digest, asOf: twinExample.asOf },
  seed: 7,
  params: disruptionScenarioExample.params,
  error: null,
  published: null,
};

export const startedExample = { runId, status: 'queued', progress: 0 };

export const resultExample = {
  run: { ...runExample, status: 'succeeded', progress: 1, finishedAt: '2026-11-21T09:01:04.000Z' },
  result: {
    stopped: ['fluorite-cn'],
    lostOutput: { 'euv-lens': 38, 'exposure-tool': 3 },
    alternatives: [{ input: 'fluorite', supplier: 'fluorite-mx', spareCapacity: 120 }],
    series: [{ day: 0, output: { 'euv-lens': 2, 'exposure-tool': 1 } }],
    runs: 200,
    seed: 7,
  },
  chart: {
    title: `${disruptionScenarioExample.name}: output per product`,
    mark: 'line',
    x: { field: 'day', title: 'Day', type: 'quantitative' },
    y: { field: 'units', title: 'Units per day' },
    series: 'product',
    rows: [
      { day: 0, product: 'euv-lens', units: 2 },
      { day: 0, product: 'exposure-tool', units: 1 },
    ],
  },
};

export const publishExample = { dataset: 'cps.disruption-forecast', aggregate: false };

export const publishedExample = {
  run: runId,
  dataset: 'cps.disruption-forecast',
  version: '1.0.0',
  eventIds: ['4d3c2b1a-0f9e-4d8c-8b7a-6f5e4d3c2b1a'],
  lineage: [{ dataset: 'euv.supply', version: '1.0.0' }],
  derived: { aggregate: false, contributors: 6 },
};

export const svgExample =
  '<svg xmlns="http://www.w3.org/2000/svg" class="marks" width="720" height="380" viewBox="0 0 720 380">…</svg>';
