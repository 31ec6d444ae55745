/**
 * Runs one scenario off the main thread, so the HTTP API stays responsive while a long Monte Carlo run
 * goes on. Receives the frozen twin and the run's spec; posts progress, then the outcome (or the error).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DomainError, type ErrorDetail } from '@renkei/domain';
import type { Twin } from '@renkei/simulation';
import { execute, type RunSpec, type ScenarioOutcome } from './kinds.js';

export type WorkerMessage =
  | { type: 'progress'; value: number; done: number; total: number }
  | { type: 'result'; outcome: ScenarioOutcome }
  /** code and details of the engine's DomainError (e.g. SIMULATION.INVALID_SCENARIO), if it was one */
  | { type: 'error'; message: string; code?: string; details?: ErrorDetail[] };

/** What RunsService hands the worker (structured clone). */
export interface WorkerInput {
  spec: RunSpec;
  twin: Twin;
}

const { spec, twin } = workerData as WorkerInput;
const post = (message: WorkerMessage) => parentPort!.postMessage(message);
let last = -1;
try {
  const outcome = execute(spec, twin, (value, done, total) => {
    // At most a hundred progress messages a run.
    const step = Math.floor(value * 100);
    if (step !== last) {
      last = step;
      post({ type: 'progress', value, done, total });
    }
  });
  post({ type: 'result', outcome });
} catch (error) {
  post(
    error instanceof DomainError
      ? { type: 'error', message: error.message, code: error.code, details: error.details }
      : { type: 'error', message: error instanceof Error ? error.message : String(error) },
  );
}
