import { json, send } from '../client.js';
import { serverSentEvents } from './sse.js';
import type {
  PublishedRun,
  PublishRunOptions,
  RunOptions,
  RunStarted,
  ScenarioDefinition,
  ScenarioView,
  SimInputView,
  SimRunEvent,
  SimRunResult,
  SimRunView,
  SimTwinRebuild,
  SimTwinView,
} from './dto.js';
import { Session } from './session.js';

/** CPS simulation: the consortium's digital twin (needs endpoints.cpsSim; an operator's credentials). */
export class CpsCalls extends Session {
  protected async sim<T>(method: string, path: string, body?: unknown): Promise<T> {
    return json<T>(await this.simResponse(method, path, body));
  }
  protected simResponse(method: string, path: string, body?: unknown): Promise<Response> {
    return this.request('cpsSim', method, path, { body });
  }
  /** The twin's inputs: grant state, events applied and stream position per dataset. */
  simInputs() {
    return this.sim<SimInputView[]>('GET', '/inputs');
  }
  /** Asks (as the CPS service) for access to a dataset and follows it once granted. */
  simRequestInput(dataset: string, purpose: string) {
    return this.sim<SimInputView>('POST', '/inputs', { dataset, purpose });
  }
  simTwin() {
    return this.sim<SimTwinView>('GET', '/twin');
  }
  simRebuildTwin() {
    return this.sim<SimTwinRebuild>('POST', '/twin/rebuild');
  }
  defineScenario(scenario: ScenarioDefinition) {
    return this.sim<ScenarioView>('POST', '/scenarios', scenario);
  }
  scenarios() {
    return this.sim<ScenarioView[]>('GET', '/scenarios');
  }
  /** Starts a run on a snapshot of the twin; poll run(id) for progress. */
  runScenario(scenarioId: string, options: RunOptions = {}) {
    return this.sim<RunStarted>('POST', `/scenarios/${scenarioId}/runs`, options);
  }
  run(runId: string) {
    return this.sim<SimRunView>('GET', `/runs/${runId}`);
  }
  /** Polls until the run has finished (succeeded or failed). */
  async waitForRun(runId: string, options: { timeoutMs?: number; intervalMs?: number } = {}) {
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    for (;;) {
      const run = await this.run(runId);
      if (run.status === 'succeeded' || run.status === 'failed') return run;
      if (Date.now() > deadline) throw new Error(`Run ${runId} still ${run.status} after the timeout`);
      await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
    }
  }
  /**
   * Follows a run as it goes (Server-Sent Events, read with fetch and the Bearer token): where it stands,
   * each progress change, and last `done` or `failed`, after which the iteration ends. `signal` stops it.
   */
  async *runEvents(runId: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<SimRunEvent> {
    const root = this.endpoints.cpsSim;
    if (!root) throw new TypeError('No cpsSim endpoint: add "cpsSim" to the endpoints');
    const response = await send(`${root}/runs/${runId}/events`, {
      headers: { authorization: `Bearer ${await this.platformToken()}`, accept: 'text/event-stream' },
      signal: options.signal,
    });
    if (!response.ok || !response.body) await json(response);
    for await (const message of serverSentEvents(response.body!)) {
      if (message.event !== 'progress' && message.event !== 'done' && message.event !== 'failed') continue;
      yield {
        id: Number(message.id),
        event: message.event,
        data: JSON.parse(message.data) as SimRunEvent['data'],
      };
      if (message.event !== 'progress') return;
    }
  }
  runResult(runId: string) {
    return this.sim<SimRunResult>('GET', `/runs/${runId}/result`);
  }
  /** The run's main series as an SVG chart. */
  async chartSvg(runId: string): Promise<string> {
    const response = await this.simResponse('GET', `/runs/${runId}/chart.svg`);
    return response.text();
  }
  /** Publishes the run's result as a derived dataset carrying lineage to its inputs. */
  publishRun(runId: string, options: PublishRunOptions = {}) {
    return this.sim<PublishedRun>('POST', `/runs/${runId}/publish`, options);
  }
}
