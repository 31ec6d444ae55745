/**
 * Runs one scenario off the main thread, so the HTTP API stays responsive while a long Monte Carlo run
 * goes on. Receives the frozen twin and the parameters; posts progress, then the result (or the error).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DomainError, type ErrorDetail } from '#libs/domain';
import type { Twin } from '#libs/simulation';
import { execute, type ScenarioKind } from './kinds.js';

export type WorkerMessage =
  | { type: 'progress'; value: number }
  | { type: 'result'; result: Record<string, unknown> }
  /** code and details of the engine's DomainError (e.g. SIMULATION.INVALID_SCENARIO), if it was one */
  | { type: 'error'; message: string; code?: string; details?: ErrorDetail[] };

const { kind, twin, params } = workerData as {
  kind: ScenarioKind;
  twin: Twin;
  params: Record<string, unknown>;
};
const post = (message: WorkerMessage) => parentPort!.postMessage(message);
let last = -1;
try {
  const result = execute(kind, twin, params, (value) => {
    // At most a hundred progress messages a run.
    const step = Math.floor(value * 100);
    if (step !== last) {
      last = step;
      post({ type: 'progress', value });
    }
  });
  post({ type: 'result', result });
} catch (error) {
  post(
    error instanceof DomainError
      ? { type: 'error', message: error.message, code: error.code, details: error.details }
      : { type: 'error', message: error instanceof Error ? error.message : String(error) },
  );
}
