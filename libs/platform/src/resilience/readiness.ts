import type { Logger } from 'pino';
import { DeadlineExceeded, withDeadline } from './deadline.js';

export type ComponentState = 'starting' | 'up' | 'down';

/**
 * A stopped database server does not refuse, it just does not answer: the probe's deadline is what finds
 * it. Short enough that a request caught in the stall is answered 503 within 2 s (first probe ≤ 0.5 s
 * after the stall, answer ≤ 1 s later), long enough for a SELECT 1 on a busy host.
 */
export const DATABASE_PROBE_TIMEOUT_MS = 900;

export interface ComponentStatus {
  state: ComponentState;
  since: string;
  /** Why it is not up (the last error's message), for the operator. */
  reason?: string;
}

interface Component {
  status: ComponentStatus;
  probe?: {
    run: () => Promise<unknown>;
    timeoutMs: number;
    intervalMs: number;
    timeoutsBeforeDown: number;
    timeouts: number;
    timer?: NodeJS.Timeout;
  };
}

/**
 * What a service depends on and whether each part is up: the database and Kafka are probed on a timer
 * (each probe with a deadline), supervised components (consumers, relays, the projection) report their own
 * state. Readiness is every component up; it turns false while one is down and comes back by itself.
 *
 * Nothing here blocks a request: /health/ready reads the last known state, and the request deadline asks
 * `anyDown()` synchronously.
 */
export class Readiness {
  private readonly components = new Map<string, Component>();
  private stopped = false;

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** A component that reports its own state; it starts as 'starting' (not ready). */
  component(name: string): (state: ComponentState, reason?: unknown) => void {
    this.ensure(name);
    return (state, reason) => this.report(name, state, reason);
  }

  /**
   * A component probed every `intervalMs`. A probe that fails is down at once; one that takes longer than
   * `timeoutMs` counts as down after `timeoutsBeforeDown` such probes in a row (1 by default: a stopped
   * database only ever times out; a busy broker may answer slowly once without being away).
   */
  probe(
    name: string,
    run: () => Promise<unknown>,
    options: { intervalMs?: number; timeoutMs?: number; timeoutsBeforeDown?: number } = {},
  ): void {
    const component = this.ensure(name);
    const probe: NonNullable<Component['probe']> = {
      run,
      timeoutMs: options.timeoutMs ?? 750,
      intervalMs: options.intervalMs ?? 500,
      timeoutsBeforeDown: options.timeoutsBeforeDown ?? 1,
      timeouts: 0,
    };
    component.probe = probe;
    const tick = () => {
      if (this.stopped) return;
      void withDeadline(run, probe.timeoutMs, `${name} probe`)
        .then(
          () => {
            probe.timeouts = 0;
            this.report(name, 'up');
          },
          (error: unknown) => {
            if (error instanceof DeadlineExceeded && ++probe.timeouts < probe.timeoutsBeforeDown) return;
            this.report(name, 'down', error);
          },
        )
        .finally(() => {
          if (this.stopped) return;
          probe.timer = setTimeout(tick, probe.intervalMs);
          probe.timer.unref();
        });
    };
    tick();
  }

  report(name: string, state: ComponentState, reason?: unknown): void {
    const component = this.ensure(name);
    const previous = component.status.state;
    if (previous === state) return;
    const message =
      reason === undefined ? undefined : reason instanceof Error ? reason.message : JSON.stringify(reason);
    component.status = {
      state,
      since: new Date(this.now()).toISOString(),
      ...(message ? { reason: message } : {}),
    };
    const log = state === 'down' ? this.logger.warn.bind(this.logger) : this.logger.info.bind(this.logger);
    log({ component: name, from: previous, to: state, reason: message }, `dependency ${name} is ${state}`);
  }

  /** Every component's state, as /health/ready shows it. */
  snapshot(): Record<string, ComponentStatus> {
    return Object.fromEntries([...this.components].map(([name, c]) => [name, { ...c.status }]));
  }

  get ready(): boolean {
    return [...this.components.values()].every((c) => c.status.state === 'up');
  }

  /** Names of the components that are down (not merely starting). */
  down(): string[] {
    return [...this.components].filter(([, c]) => c.status.state === 'down').map(([name]) => name);
  }

  /** Names of the components that are not up: down, or still starting. */
  notUp(): string[] {
    return [...this.components].filter(([, c]) => c.status.state !== 'up').map(([name]) => name);
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.components.values()) clearTimeout(c.probe?.timer);
  }

  private ensure(name: string): Component {
    let component = this.components.get(name);
    if (!component) {
      component = { status: { state: 'starting', since: new Date(this.now()).toISOString() } };
      this.components.set(name, component);
    }
    return component;
  }
}

/** Each component's state, as the health controller shows it. */
export function healthOf(readiness: Readiness): Record<string, ComponentState> {
  return Object.fromEntries(Object.entries(readiness.snapshot()).map(([name, s]) => [name, s.state]));
}
