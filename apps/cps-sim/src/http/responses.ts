/** The bodies the CPS simulation API answers, as zod schemas: the OpenAPI document is generated from them. */
import { z } from 'zod';

const when = z.string().describe('ISO 8601 date-time');

const lineageEntry = z.object({
  dataset: z.string(),
  version: z.string(),
  events: z.number().int(),
  lastEventId: z.string().nullable(),
  originators: z.array(z.string()),
});

export const InputSchema = z.object({
  dataset: z.string(),
  purpose: z.string().nullable(),
  grant: z.object({ id: z.string(), state: z.string() }).nullable(),
  state: z.string(),
  eventsApplied: z.number().int(),
  lastEventId: z.string().nullable(),
  positions: z.record(z.string(), z.string()),
  contractVersions: z.array(z.string()),
  lastError: z.string().nullable(),
});

export const TwinSchema = z.object({
  asOf: when.nullable(),
  digest: z.string(),
  counts: z.object({
    facilities: z.number().int(),
    bom: z.number().int(),
    links: z.number().int(),
    hospitals: z.number().int(),
  }),
  inputs: z.array(lineageEntry),
  sources: z.array(
    z.object({
      dataset: z.string(),
      lastEventId: z.string().nullable(),
      events: z.number().int(),
      ignored: z.number().int().optional(),
    }),
  ),
});

export const RebuildSchema = z.object({
  before: z.string(),
  after: z.string(),
  events: z.number().int(),
  identical: z.boolean(),
});

export const ScenarioSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: z.string(),
  params: z.record(z.string(), z.unknown()),
  createdBy: z.string(),
  createdAt: when,
});

export const RunSchema = z.object({
  id: z.uuid(),
  scenario: z.uuid(),
  name: z.string(),
  kind: z.string(),
  status: z.string().describe('queued | running | succeeded | failed'),
  progress: z.number().min(0).max(1),
  startedAt: when,
  finishedAt: when.nullable(),
  inputs: z.array(lineageEntry),
  twin: z.object({ digest: z.string(), asOf: when.nullable() }),
  seed: z.number().nullable(),
  params: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
  published: z
    .object({ dataset: z.string(), version: z.string(), eventIds: z.array(z.string()) })
    .catchall(z.unknown())
    .nullable(),
});

export const StartedSchema = z.object({
  runId: z.uuid(),
  status: z.string(),
  progress: z.number(),
});

export const ResultSchema = z.object({
  run: RunSchema,
  result: z.record(z.string(), z.unknown()),
  chart: z
    .object({ title: z.string(), rows: z.array(z.record(z.string(), z.unknown())) })
    .catchall(z.unknown()),
});

export const PublishedSchema = z
  .object({
    run: z.uuid(),
    dataset: z.string(),
    version: z.string(),
    eventIds: z.array(z.string()),
    lineage: z.array(z.object({ dataset: z.string(), version: z.string() })),
  })
  .catchall(z.unknown());

export const SvgSchema = { type: 'string', description: 'An SVG document' };
