/**
 * The registry's heavy, member-controlled work on schemas, as plain functions of plain data so that it can
 * run in a worker thread (schema-work.worker.ts) under a time budget: compiling a submitted schema, the
 * compatibility check against the dataset's history, and reading an ODCS document. Results and errors
 * cross the thread boundary as structured-clone data; a DomainError is rebuilt on the other side.
 */
import {
  assertCompilableSchema,
  DomainError,
  type CompatibilityMode,
  type ErrorDetail,
  type ErrorKind,
  type SchemaLimits,
} from '@renkei/domain';
import { relayedCode } from '@renkei/domain';
import { checkCompatibility, importOdcs, versionsCheckedAgainst, type SchemaBreak } from '@renkei/contracts';

export type SchemaTask =
  | { kind: 'compile'; schema: unknown; path: string; limits: SchemaLimits }
  | {
      kind: 'compatibility';
      mode: CompatibilityMode;
      history: { version: string; schema: unknown }[];
      version: string;
      schema: unknown;
    }
  | { kind: 'import-odcs'; document: unknown; limits: SchemaLimits };

export interface CompatibilityOutcome {
  checkedAgainst: string[];
  breaks: SchemaBreak[];
}

export type SchemaTaskResult =
  | { ok: true; value: unknown }
  | {
      ok: false;
      error: { code: string; kind: ErrorKind; message: string; details: ErrorDetail[]; hint?: string };
    };

function perform(task: SchemaTask): unknown {
  switch (task.kind) {
    case 'compile':
      assertCompilableSchema(task.schema, task.path, task.limits);
      return null;
    case 'compatibility':
      return {
        checkedAgainst: versionsCheckedAgainst(task.mode, task.history).map((v) => v.version),
        breaks: checkCompatibility(task.mode, task.history, { version: task.version, schema: task.schema }),
      } satisfies CompatibilityOutcome;
    case 'import-odcs':
      return importOdcs(task.document, task.limits);
  }
}

/** Runs one task; a DomainError becomes data (anything else is a bug and is thrown as it is). */
export function runSchemaTask(task: SchemaTask): SchemaTaskResult {
  try {
    return { ok: true, value: perform(task) };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return {
      ok: false,
      error: {
        code: error.code,
        kind: error.kind,
        message: error.message,
        details: error.details,
        ...(error.hint ? { hint: error.hint } : {}),
      },
    };
  }
}

export function rebuildError(error: Extract<SchemaTaskResult, { ok: false }>['error']): DomainError {
  return new DomainError(relayedCode(error.code), error.kind, error.message, {
    details: error.details,
    ...(error.hint ? { hint: error.hint } : {}),
  });
}
