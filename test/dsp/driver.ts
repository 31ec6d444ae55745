/**
 * The TCK run's "driver": watches the negotiations and transfers of one member (the originator, or the
 * consumer member) by polling the management API every ~100 ms, and makes each test's scripted moves
 * through the same public API a person would use (no special case in the product). A process is matched to
 * its test by the seeded dataset, agreement or the id the initiate endpoint got back.
 */
import type { RenkeiClient } from '@renkei/sdk';
import type { Move, Step } from './tck-script.js';

/** What the driver needs of a process listed by the management API. */
export interface Observed {
  id: string;
  state: string;
  [key: string]: unknown;
}

interface Tracker {
  test: string;
  steps: Step[];
  next: number;
  /** The state the last move was made in; the next step waits until the process has left it. */
  movedIn?: string;
  left: boolean;
  lastMoveAt: number;
  /** When the awaited state was first seen (for a step's delay). */
  seenAt?: number;
  busy: boolean;
  failures: number;
}

export interface DriverOptions {
  name: string;
  client: RenkeiClient;
  kind: 'negotiation' | 'transfer';
  side: 'provider' | 'consumer';
  /** The test a process belongs to, with its steps; undefined: not one of ours (yet). */
  match(process: Observed): { test: string; steps: Step[] } | undefined;
  /** The originator's grant moves (provider transfers): on the process's grant. */
  grantOf?(process: Observed): string | undefined;
  log(line: string): void;
  pollMs?: number;
  /** The least time between two moves on one process (the callbacks need ≥ 0.5 s between them). */
  gapMs?: number;
}

const MAX_FAILURES = 8;

export class Driver {
  private readonly trackers = new Map<string, Tracker>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private stopped = false;
  /** Each process's states in the order the driver saw them (the run's report shows them on failure). */
  readonly history = new Map<string, { test: string; states: string[]; moves: string[] }>();
  pollErrors = 0;

  constructor(private readonly options: DriverOptions) {}

  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      await this.poll();
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.options.pollMs ?? 100);
    };
    void tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async list(): Promise<Observed[]> {
    const { client, kind, side } = this.options;
    const answer: unknown =
      kind === 'negotiation' ? await client.negotiations({ side }) : await client.transfers({ side });
    // A plain array, or a page of items.
    const items = Array.isArray(answer) ? answer : (answer as { items?: unknown[] }).items;
    return (items ?? []) as Observed[];
  }

  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const processes = await this.list();
      for (const process of processes) this.observe(process);
    } catch (error) {
      // The API may not be there yet (or restart): report the first few, keep polling.
      if (++this.pollErrors <= 3 || this.pollErrors % 100 === 0)
        this.options.log(`${this.options.name}: listing failed (${String(error)})`);
    } finally {
      this.polling = false;
    }
  }

  private observe(process: Observed): void {
    let tracker = this.trackers.get(process.id);
    if (!tracker) {
      const matched = this.options.match(process);
      if (!matched) return;
      tracker = {
        ...matched,
        next: 0,
        left: true,
        lastMoveAt: 0,
        busy: false,
        failures: 0,
      };
      this.trackers.set(process.id, tracker);
      this.history.set(process.id, { test: matched.test, states: [], moves: [] });
    }
    const history = this.history.get(process.id)!;
    if (history.states.at(-1) !== process.state) history.states.push(process.state);
    if (tracker.busy || tracker.next >= tracker.steps.length) return;
    if (!tracker.left) {
      if (process.state === tracker.movedIn) return;
      tracker.left = true;
    }
    const step = tracker.steps[tracker.next]!;
    if (process.state !== step.when) {
      tracker.seenAt = undefined;
      return;
    }
    const now = Date.now();
    tracker.seenAt ??= now;
    if (now < tracker.seenAt + (step.delayMs ?? 0)) return;
    if (now < tracker.lastMoveAt + (this.options.gapMs ?? 500)) return;
    tracker.busy = true;
    void this.move(process, tracker, step).finally(() => (tracker.busy = false));
  }

  private async move(process: Observed, tracker: Tracker, step: Step): Promise<void> {
    const label = `${tracker.test} ${this.options.side} ${describeMove(step.move)} in ${process.state}`;
    try {
      const after = await this.perform(process, step.move);
      tracker.next += 1;
      tracker.movedIn = process.state;
      tracker.left = typeof after?.state === 'string' && after.state !== process.state;
      tracker.lastMoveAt = Date.now();
      tracker.seenAt = undefined;
      this.history.get(process.id)?.moves.push(describeMove(step.move));
      this.options.log(`${label}${after?.state ? ` -> ${after.state}` : ''}`);
    } catch (error) {
      tracker.failures += 1;
      this.options.log(`${label} failed (${tracker.failures}/${MAX_FAILURES}): ${String(error)}`);
      if (tracker.failures >= MAX_FAILURES) tracker.next = tracker.steps.length;
    }
  }

  private async perform(process: Observed, move: Move): Promise<{ state?: string } | undefined> {
    const { client } = this.options;
    switch (move.on) {
      case 'negotiation':
        return client.moveNegotiation(process.id, move.action, move.body ?? {});
      case 'transfer':
        return client.moveTransfer(process.id, move.action, move.body ?? {});
      case 'grant': {
        const grant = this.options.grantOf?.(process);
        if (!grant) throw new Error(`no grant known for transfer ${process.id}`);
        const reason = `the ${move.action} move of the test script`;
        if (move.action === 'suspend') await client.suspendGrant(grant, reason);
        else if (move.action === 'resume') await client.resumeGrant(grant, reason);
        else await client.revokeGrant(grant, reason);
        // The transfer follows the grant asynchronously: its state is seen on a later poll.
        return undefined;
      }
    }
  }

  /** The scripted moves not made (a test whose process never reached a state, or a refused move). */
  pending(): { test: string; id: string; waitingFor: string; states: string[] }[] {
    return [...this.trackers.entries()]
      .filter(([, t]) => t.next < t.steps.length)
      .map(([id, t]) => ({
        test: t.test,
        id,
        waitingFor: `${describeMove(t.steps[t.next]!.move)} in ${t.steps[t.next]!.when}`,
        states: this.history.get(id)?.states ?? [],
      }));
  }
}

export const describeMove = (move: Move): string => `${move.on === 'grant' ? 'grant ' : ''}${move.action}`;
