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
