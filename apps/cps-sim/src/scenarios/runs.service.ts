import { randomInt, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { conflict, notFound, unavailable, DomainError, type ErrorDetail } from '@renkei/domain';
import { relayedCode } from '@renkei/domain';
import type { Twin } from '@renkei/simulation';
import type { InputsService, LineageEntry } from '../inputs/inputs.service.js';
import { chartOf, execute, fixSeed, type RunSpec, type ScenarioKind, type ScenarioOutcome } from './kinds.js';
import type { RunStatuses } from './runs.dto.js';
import type { Scenario } from './scenarios.service.js';
import type { WorkerInput, WorkerMessage } from './run.worker.js';

export type RunStatus = (typeof RunStatuses)[number];

export interface RunView {
  id: string;
  scenario: string;
  name: string;
  kind: ScenarioKind;
  status: RunStatus;
  /** 0..1 */
  progress: number;
  startedAt: string;
  finishedAt: string | null;
  /** What the run was built from: each input dataset, its contract version, events and last event id. */
  inputs: LineageEntry[];
  twin: { digest: string; asOf: string | null };
  /** The seed the run used (null for kinds without random draws): run again with it for the same result. */
  seed: number | null;
  params: Record<string, unknown>;
  error: string | null;
  published: { dataset: string; version: string; eventIds: string[] } | null;
}

/** How far a run is, in the units of its kind (e.g. Monte Carlo runs); null before the first report. */
export interface RunStep {
  done: number;
  total: number;
}

/**
 * What a follower of a run hears (GET /runs/{id}/events): `progress` on every change, then once `done`
 * (succeeded) or `failed`, after which nothing more. `seq` numbers a run's events in order (0: queued, before any).
 */
export interface RunEvent {
  event: 'progress' | 'done' | 'failed';
  seq: number;
  data: { status: RunStatus; progress: number; step: RunStep | null; error?: string | null };
}

interface Run extends RunView {
  /** Units done of the run's total, as the engine last reported. */
  step: RunStep | null;
  /** The number of the run's last event (RunEvent.seq). */
  seq: number;
  /** What runs: the scenario with its seed fixed (`kind` and `params` of the view, typed). */
  spec: RunSpec;
  outcome: ScenarioOutcome | null;
  /** The engine's refusal (a DomainError), with its paths under /params. */
  failure: { code: string; details: ErrorDetail[] } | null;
}

const workerFile = fileURLToPath(new URL('./run.worker.js', import.meta.url));
// The build runs scenarios on a worker thread; from the TypeScript sources (unit tests) they run in-process.
const useWorker = import.meta.url.endsWith('.js') && existsSync(workerFile);

/**
 * Runs scenarios on a frozen snapshot of the twin, off the request: the caller gets the run id at once and
 * follows progress (pushed to followers as the run reports it, see follow()). A run never writes anywhere but its own record; publishing a result is a separate step.
 */
export class RunsService {
  private readonly runs = new Map<string, Run>();
  /** Each run's changes are pushed to its followers as they happen (`run:<id>`), never polled. */
  private readonly changes = new EventEmitter().setMaxListeners(0);

  constructor(
    private readonly inputs: InputsService,
    private readonly logger: Logger,
  ) {}

  start(scenario: Scenario, overrides: { seed?: number } = {}): RunView {
    const state = this.inputs.state();
    if (state.lineage.length === 0 && scenario.kind !== 'method-switch') {
      throw conflict(
        'TWIN.EMPTY',
        'The twin has no data yet: no input has delivered events',
        'See GET /inputs: request access with POST /inputs and wait for the originators to approve',
      );
    }
    const { spec, seed } = fixSeed(scenario, overrides.seed, () => randomInt(0, 2 ** 31 - 1));
    const run: Run = {
      id: randomUUID(),
      scenario: scenario.id,
      name: scenario.name,
      kind: scenario.kind,
      status: 'queued',
      progress: 0,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      inputs: scenario.kind === 'method-switch' ? [] : state.lineage,
      twin: { digest: state.digest, asOf: state.twin.asOf ?? null },
      seed,
      params: spec.params,
      error: null,
      published: null,
      spec,
      outcome: null,
      failure: null,
      step: null,
      seq: 0,
    };
    this.runs.set(run.id, run);
    // The snapshot is this twin object: InputsService builds a new one on every change, never mutates it.
    setImmediate(() => void this.execute(run, state.twin));
    return this.view(run);
  }

  get(id: string): RunView {
    return this.view(this.find(id));
  }

  list(): RunView[] {
    return [...this.runs.values()].map((r) => this.view(r));
  }

  /** The finished result with its chart series. */
  result(id: string): { run: RunView; result: ScenarioOutcome['result']; chart: ReturnType<typeof chartOf> } {
    const run = this.find(id);
    if (run.status === 'failed') {
      const cause = run.failure ? `${run.failure.code}: ` : '';
      throw new DomainError(
        'RUN.FAILED',
        'unprocessable',
        `The run failed: ${cause}${run.error ?? 'unknown error'}`,
        {
          details: run.failure?.details ?? [],
          hint: 'Check the scenario parameters, fix them with a new scenario and run again',
        },
      );
    }
    if (run.status !== 'succeeded' || !run.outcome) {
      throw conflict(
        'RUN.NOT_FINISHED',
        `The run is ${run.status} (${Math.round(run.progress * 100)}%)`,
        'Poll GET /runs/{id} until status is succeeded',
      );
    }
    return { run: this.view(run), result: run.outcome.result, chart: chartOf(run.name, run.outcome) };
  }

  /**
   * Follows a run: `listener` hears where it stands at once, then each change as the run makes it, and
   * last `done` or `failed` (at once for a finished run). Returns the function that stops following.
   * A follower never sees events out of order: they are numbered, and the listener is called in order.
   */
  follow(id: string, listener: (event: RunEvent) => void): () => void {
    const run = this.find(id);
    const channel = `run:${id}`;
    const finished = run.status === 'succeeded' || run.status === 'failed';
    listener(this.event(run, 'progress', run.seq));
    if (finished) {
      listener(this.event(run, run.status === 'succeeded' ? 'done' : 'failed', run.seq));
      return () => {};
    }
    this.changes.on(channel, listener);
    return () => this.changes.off(channel, listener);
  }

  private event(run: Run, event: RunEvent['event'], seq: number): RunEvent {
    const data: RunEvent['data'] = {
      status: run.status,
      progress: run.progress,
      step: run.step ? { ...run.step } : null,
    };
    if (event !== 'progress') data.error = run.error;
    return { event, seq, data };
  }

  /** Tells the run's followers what changed; a final event also lets them go. */
  private publish(run: Run, event: RunEvent['event']): void {
    run.seq += 1;
    const channel = `run:${run.id}`;
    this.changes.emit(channel, this.event(run, event, run.seq));
    if (event !== 'progress') this.changes.removeAllListeners(channel);
  }

  markPublished(id: string, published: RunView['published']): void {
    this.find(id).published = published;
  }

  private find(id: string): Run {
    const run = this.runs.get(id);
    if (!run) throw notFound('RUN.NOT_FOUND', `No run ${id}`, 'List runs with GET /runs');
    return run;
  }

  private view(run: Run): RunView {
    const { spec: _spec, outcome: _outcome, failure: _failure, step: _step, seq: _seq, ...view } = run;
    return { ...view, inputs: view.inputs.map((i) => ({ ...i })) };
  }

  private async execute(run: Run, twin: Twin): Promise<void> {
    run.status = 'running';
    this.publish(run, 'progress');
    const onProgress = (value: number, done?: number, total?: number) => {
      if (!Number.isFinite(value)) return;
      const progress = Math.min(1, Math.max(run.progress, value));
      const step =
        done !== undefined && total !== undefined && Number.isFinite(done) && Number.isFinite(total)
          ? { done, total }
          : run.step;
      if (progress === run.progress && step?.done === run.step?.done) return;
      run.progress = progress;
      run.step = step;
      this.publish(run, 'progress');
    };
    try {
      run.outcome = useWorker
        ? await this.inWorker(run, twin, onProgress)
        : execute(run.spec, twin, onProgress);
      run.progress = 1;
      run.status = 'succeeded';
    } catch (error) {
      run.status = 'failed';
      run.error = error instanceof Error ? error.message : String(error);
      if (error instanceof DomainError) {
        run.failure = {
          code: error.code,
          details: error.details.map((d) => ({ ...d, path: `/params${d.path}`, code: error.code })),
        };
      }
      this.logger.warn({ run: run.id, err: run.error }, 'scenario run failed');
    } finally {
      run.finishedAt = new Date().toISOString();
    }
    this.publish(run, run.status === 'succeeded' ? 'done' : 'failed');
  }

  private inWorker(
    run: Run,
    twin: Twin,
    onProgress: (value: number, done: number, total: number) => void,
  ): Promise<ScenarioOutcome> {
    return new Promise((resolve, reject) => {
      const workerData: WorkerInput = { spec: run.spec, twin };
      const worker = new Worker(workerFile, { workerData });
      let settled = false;
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'progress') onProgress(message.value, message.done, message.total);
        else if (message.type === 'result') {
          settled = true;
          resolve(message.outcome);
        } else {
          settled = true;
          reject(
            message.code
              ? new DomainError(relayedCode(message.code), 'unprocessable', message.message, {
                  details: message.details,
                })
              : new Error(message.message),
          );
        }
      });
      worker.on('error', (error: unknown) => {
        settled = true;
        reject(error instanceof Error ? error : new Error(String(error)));
      });
      worker.on('exit', (code) => {
        if (!settled) reject(unavailable('RUN.WORKER_EXITED', `The simulation worker exited (${code})`));
      });
    });
  }
}
