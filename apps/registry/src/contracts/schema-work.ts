/**
 * Runs the registry's heavy schema work (schema-work.task.ts) off the event loop, in a small piscina pool,
 * each task under a time budget. A member's 5 MB schema or pathological compatibility check then costs a
 * worker thread for at most the budget, while `/health` and every other member's requests keep being
 * served. Past the budget the worker is terminated (piscina ends a running task by ending its thread,
 * and starts a fresh one) and the request is refused with 422 `CONTRACT.CHECK_TOO_EXPENSIVE`. The budget
 * counts running time only: a task that waits too long for a free worker, or finds the queue full, is a
 * 503 `CONTRACT.CHECKS_BUSY` (retry), not a verdict on the schema.
 */
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import {
  assertSchemaWithinLimits,
  DEFAULT_SCHEMA_LIMITS,
  DomainError,
  unavailable,
  type CompatibilityMode,
  type SchemaLimits,
} from '@renkei/domain';
import type { ContractDraft } from '@renkei/contracts';
import {
  rebuildError,
  runSchemaTask,
  type CompatibilityOutcome,
  type SchemaTask,
  type SchemaTaskResult,
} from './schema-work.task.js';

export interface SchemaWorkOptions {
  /** Limits every schema is checked against (schema-limits.ts). */
  limits: SchemaLimits;
  /** Running time one task may take before its worker is terminated. */
  budgetMs: number;
  /** Time a task may wait for a free worker. */
  queueWaitMs: number;
  threads: number;
  /** Tasks that may wait; beyond it a request is refused at once. */
  maxQueue: number;
  /** Heap of one worker, in MiB: a task that needs more ends its worker, not the service. */
  maxHeapMb: number;
}

export const DEFAULT_SCHEMA_WORK: SchemaWorkOptions = {
  limits: DEFAULT_SCHEMA_LIMITS,
  budgetMs: 2_000,
  queueWaitMs: 10_000,
  threads: 1,
  maxQueue: 16,
  maxHeapMb: 256,
};

function unwrap<T>(result: SchemaTaskResult): T {
  if (!result.ok) throw rebuildError(result.error);
  return result.value as T;
}

export class SchemaWork {
  readonly options: SchemaWorkOptions;
  private readonly pool: Piscina | null;

  /**
   * `inline` runs tasks on the calling thread without a budget: only for tests that run from the
   * TypeScript sources, where the worker file does not exist as JavaScript.
   */
  constructor(options: Partial<SchemaWorkOptions> = {}, inline = import.meta.url.endsWith('.ts')) {
    this.options = { ...DEFAULT_SCHEMA_WORK, ...options };
    this.pool = inline
      ? null
      : new Piscina({
          filename: new URL('./schema-work.worker.js', import.meta.url).href,
          minThreads: this.options.threads,
          maxThreads: this.options.threads,
          maxQueue: this.options.maxQueue,
          idleTimeout: 60_000,
          resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb },
        });
  }

  /** Limits, then compilation with Ajv (patterns on RE2): a 4xx naming the limit or the problem. */
  async assertCompilable(schema: unknown, path = '/schema'): Promise<void> {
    // The cheap limits first, on this thread: a bounded walk (milliseconds for 5 MB), so an oversized
    // schema is refused at once and never copied to, or queued behind, a worker. Compiling its patterns
    // with RE2 (support, program size) is left to the worker, under the budget.
    assertSchemaWithinLimits(schema, path, this.options.limits, false);
    await this.run({ kind: 'compile', schema, path, limits: this.options.limits });
  }

  compatibility(
    mode: CompatibilityMode,
    history: { version: string; schema: unknown }[],
    version: string,
    schema: unknown,
  ): Promise<CompatibilityOutcome> {
    return this.run({ kind: 'compatibility', mode, history, version, schema });
  }

  importOdcs(document: unknown): Promise<{ contract: ContractDraft; warnings: string[] }> {
    return this.run({ kind: 'import-odcs', document, limits: this.options.limits });
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
  }

  private async run<T>(task: SchemaTask): Promise<T> {
    if (!this.pool) return unwrap<T>(runSchemaTask(task));
    const { budgetMs, queueWaitMs } = this.options;
    const { port1, port2 } = new MessageChannel();
    const controller = new AbortController();
    let running = false;
    let timer = setTimeout(() => controller.abort(), queueWaitMs);
    port1.once('message', () => {
      running = true;
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(), budgetMs);
    });
    try {
      const result = (await this.pool.run(
        { task, started: port2 },
        { signal: controller.signal, transferList: [port2] },
      )) as SchemaTaskResult;
      return unwrap<T>(result);
    } catch (error) {
      if (error instanceof DomainError) throw error;
      if (controller.signal.aborted && running) throw tooExpensive(task, budgetMs);
      if (controller.signal.aborted || (error as Error).message === 'Task queue is at limit') {
        throw busy();
      }
      throw error;
    } finally {
      clearTimeout(timer);
      port1.close();
    }
  }
}

const WHAT: Record<SchemaTask['kind'], string> = {
  compile: 'Compiling the schema',
  compatibility: 'The compatibility check',
  'import-odcs': 'Reading the ODCS document',
};

function tooExpensive(task: SchemaTask, budgetMs: number): DomainError {
  const path = task.kind === 'import-odcs' ? '' : task.kind === 'compile' ? task.path : '/schema';
  return new DomainError(
    'CONTRACT.CHECK_TOO_EXPENSIVE',
    'unprocessable',
    `${WHAT[task.kind]} took longer than the budget of ${budgetMs} ms and was stopped`,
    {
      details: [{ path, message: `stopped after ${budgetMs} ms (limit SCHEMA_CHECK_BUDGET_MS)` }],
      hint: 'Simplify the schema: fewer alternatives (anyOf / oneOf), fewer nested objects, fewer properties',
    },
  );
}

const busy = () =>
  unavailable(
    'CONTRACT.CHECKS_BUSY',
    'Too many schema checks are running; this one was not started',
    'Retry in a few seconds',
  );
