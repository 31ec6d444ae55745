import { z } from 'zod';
import { LineageEntrySchema } from '../inputs/inputs.dto.js';
import { ScenarioKinds } from './params.js';

const when = z.string().describe('ISO 8601 date-time');

export const RunStatuses = ['queued', 'running', 'succeeded', 'failed'] as const;

export const RunSchema = z.object({
  id: z.uuid(),
  scenario: z.uuid(),
  name: z.string(),
  kind: z.enum(ScenarioKinds),
  status: z.enum(RunStatuses),
  progress: z.number().min(0).max(1),
  startedAt: when,
  finishedAt: when.nullable(),
  inputs: z.array(LineageEntrySchema),
  twin: z.object({ digest: z.string(), asOf: when.nullable() }),
  seed: z.number().nullable(),
  params: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
  published: z.object({ dataset: z.string(), version: z.string(), eventIds: z.array(z.string()) }).nullable(),
});

export const StartedSchema = z.object({
  runId: z.uuid(),
  status: z.enum(RunStatuses),
  progress: z.number(),
});

export const ResultSchema = z.object({
  run: RunSchema,
  result: z.record(z.string(), z.unknown()),
  chart: z
    .object({ title: z.string(), rows: z.array(z.record(z.string(), z.unknown())) })
    .catchall(z.unknown()),
});

export const SvgSchema = { type: 'string', description: 'An SVG document' };

/** Units done of the run's total (e.g. Monte Carlo runs), as the engine reports them; null before any. */
const StepSchema = z.object({ done: z.number().int(), total: z.number().int() }).nullable();

/** The JSON of each run event's `data:` line (GET /runs/{id}/events). */
export const RunEventDataSchema = z.object({
  status: z.enum(RunStatuses),
  progress: z.number().min(0).max(1),
  step: StepSchema,
  error: z
    .string()
    .nullable()
    .optional()
    .describe('done/failed only: why the run failed (null if it did not)'),
});

/** The SSE answer: a text stream; each event's data is RunEventDataSchema. */
export const RunEventsSchema = {
  type: 'string',
  description:
    'Server-Sent Events (text/event-stream). Each event is `id: <n>` (numbered in order, without gaps), `event: progress | done | failed` and `data: <JSON>` with {status, progress 0..1, step: {done, total} | null, error?}. The first event says where the run stands; `progress` follows every change; the last is `done` (succeeded) or `failed` with the final status, then the response ends. A comment line `: heartbeat` comes every 15 s while nothing else does.',
};

export const runEventsExample = [
  'id: 1',
  'event: progress',
  'data: {"status":"running","progress":0,"step":null}',
  '',
  'id: 2',
  'event: progress',
  'data: {"status":"running","progress":0.5,"step":{"done":20,"total":40}}',
  '',
  'id: 3',
  'event: done',
  'data: {"status":"succeeded","progress":1,"step":{"done":40,"total":40},"error":null}',
  '',
  '',
].join('\n');
