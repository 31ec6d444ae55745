/**
 * The cps-sim service's public API as the CPS pages use it (docs/api/cps-sim.openapi.json, reached through
 * the console server at /api/cps-sim). Only the service's operators may call it: the service's own
 * participant, the consortium admin and the participants named in CPS_OPERATORS; anyone else is answered
 * 403 CPS.NOT_OPERATOR, which the pages show as it is.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../auth/context';

export const SIM = 'cps-sim' as const;

export interface LineageEntry {
  dataset: string;
  version: string;
  events: number;
  lastEventId: string | null;
  originators: string[];
}

export interface SimInput {
  dataset: string;
  purpose: string | null;
  grant: { id: string; state: string } | null;
  state: string;
  eventsApplied: number;
  lastEventId: string | null;
  positions: Record<string, string>;
  contractVersions: string[];
  lastError: string | null;
}

export interface Twin {
  asOf: string | null;
  digest: string;
  counts: { facilities: number; bom: number; links: number; hospitals: number };
  inputs: LineageEntry[];
  sources: { dataset: string; lastEventId: string | null; events: number; ignored?: number }[];
}

export interface Rebuild {
  before: string;
  after: string;
  events: number;
  identical: boolean;
}

export const scenarioKinds = ['disruption', 'method-switch', 'cfp-rollup', 'hospital-occupancy'] as const;
export type ScenarioKind = (typeof scenarioKinds)[number];

export interface Scenario {
  id: string;
  name: string;
  kind: ScenarioKind;
  params: Record<string, unknown>;
  createdBy: string;
  createdAt: string;
}

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface Run {
  id: string;
  scenario: string;
  name: string;
  kind: ScenarioKind;
  status: RunStatus;
  progress: number;
  startedAt: string;
  finishedAt: string | null;
  inputs: LineageEntry[];
  twin: { digest: string; asOf: string | null };
  seed: number | null;
  params: Record<string, unknown>;
  error: string | null;
  published: { dataset: string; version: string; eventIds: string[] } | null;
}

export interface Started {
  runId: string;
  status: RunStatus;
  progress: number;
}

/** The chart the service derives from a result: rows ready to draw, and how (vega-lite-like hints). */
export interface ChartSpec {
  title: string;
  rows: Record<string, unknown>[];
  mark?: 'line' | 'bar';
  x?: { field: string; title?: string; type?: string };
  y?: { field: string; title?: string };
  series?: string;
  dash?: string;
}

export interface RunResult {
  run: Run;
  result: Record<string, unknown>;
  chart: ChartSpec;
}

export interface Published {
  run: string;
  dataset: string;
  version: string;
  eventIds: string[];
  lineage: { dataset: string; version: string }[];
  derived?: { aggregate: boolean; contributors: number };
}

/** One dataset of the registry catalog (what the follow form suggests). */
export interface CatalogEntry {
  dataset: string;
  version: string;
  title: string;
  purposes: string[];
}

export const keys = {
  inputs: ['cps', 'inputs'] as const,
  twin: ['cps', 'twin'] as const,
  scenarios: ['cps', 'scenarios'] as const,
  runs: ['cps', 'runs'] as const,
  run: (id: string) => ['cps', 'runs', id] as const,
  result: (id: string) => ['cps', 'runs', id, 'result'] as const,
  catalog: ['cps', 'catalog'] as const,
};

export const finished = (status: RunStatus | undefined) => status === 'succeeded' || status === 'failed';

export function useInputs() {
  const api = useApi();
  // Grants are approved by other companies and events arrive over the exchange: refresh now and then.
  return useQuery({
    queryKey: keys.inputs,
    queryFn: ({ signal }) => api.get<SimInput[]>(SIM, '/inputs', { signal }),
    refetchInterval: 5_000,
  });
}

export function useTwin() {
  const api = useApi();
  return useQuery({
    queryKey: keys.twin,
    queryFn: ({ signal }) => api.get<Twin>(SIM, '/twin', { signal }),
    refetchInterval: 5_000,
  });
}

export function useScenarios() {
  const api = useApi();
  return useQuery({
    queryKey: keys.scenarios,
    queryFn: ({ signal }) => api.get<Scenario[]>(SIM, '/scenarios', { signal }),
  });
}

export function useRuns() {
  const api = useApi();
  return useQuery({
    queryKey: keys.runs,
    queryFn: ({ signal }) => api.get<Run[]>(SIM, '/runs', { signal }),
  });
}

export function useRun(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: keys.run(id),
    queryFn: ({ signal }) => api.get<Run>(SIM, `/runs/${encodeURIComponent(id)}`, { signal }),
  });
}

export function useResult(id: string, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: keys.result(id),
    queryFn: ({ signal }) => api.get<RunResult>(SIM, `/runs/${encodeURIComponent(id)}/result`, { signal }),
    enabled,
    staleTime: Infinity,
  });
}

/** Datasets the signed-in participant may discover, to suggest in the follow form (best effort). */
export function useCatalog() {
  const api = useApi();
  return useQuery({
    queryKey: keys.catalog,
    queryFn: ({ signal }) =>
      api.get<{ items: CatalogEntry[] }>('registry', '/catalog', { query: { limit: 100 }, signal }),
    retry: false,
  });
}

export function useInvalidateCps() {
  const client = useQueryClient();
  return (key: readonly unknown[] = ['cps']) => client.invalidateQueries({ queryKey: key });
}
