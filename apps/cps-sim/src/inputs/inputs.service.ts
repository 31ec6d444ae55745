import type { Logger } from 'pino';
import { RenkeiError, type DeliveryStream, type RenkeiClient, type StreamLine } from '@renkei/sdk';
import { TwinBuilder, twinDigest, type Twin, type TwinEvent } from '@renkei/simulation';
import { canonicalCompare, DatasetJournal, parsePosition, type JournalEntry } from './journal.js';

export type InputState =
  | 'no-grant'
  | 'requested'
  | 'connecting'
  | 'streaming'
  | 'suspended'
  | 'revoked'
  | 'expired'
  | 'rejected'
  | 'stopped';

/** One input of the twin as GET /inputs shows it. */
export interface InputView {
  dataset: string;
  purpose: string | null;
  grant: { id: string; state: string } | null;
  state: InputState;
  eventsApplied: number;
  lastEventId: string | null;
  /** partition -> last offset applied: where the stream resumes. */
  positions: Record<string, string>;
  contractVersions: string[];
  lastError: string | null;
}

/** What a result was built from: each input dataset with its contract version, events and last event. */
export interface LineageEntry {
  dataset: string;
  version: string;
  events: number;
  lastEventId: string | null;
  originators: string[];
}

export interface TwinState {
  twin: Twin;
  digest: string;
  /** Bumped on every change of the inputs; snapshots are cached per revision. */
  revision: number;
  lineage: LineageEntry[];
}

interface GrantSummary {
  id: string;
  state: string;
  dataset: string;
  consumer?: string;
  purpose?: string;
  updatedAt?: string;
}

interface Input {
  dataset: string;
  purpose: string | null;
  grant: GrantSummary | null;
  state: InputState;
  journal: DatasetJournal;
  stream: DeliveryStream | null;
  running: boolean;
  lastError: string | null;
}

/** Grant states a repeated request reuses instead of asking again, best first. */
const REUSABLE = new Map([
  ['granted', 3],
  ['suspended', 2],
  ['requested', 1],
]);

/** Stream endings after which the grant no longer lets the service hold the data. */
const GRANT_ENDED = new Set(['GRANT.REVOKED', 'GRANT.NOT_ACTIVE', 'GRANT.EXPIRED']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** An RFC 3339 time as UTC with milliseconds (unparseable times are left for the twin to report). */
function utc(time: string): string {
  const at = new Date(time);
  return Number.isNaN(at.getTime()) ? time : at.toISOString();
}

/** Maps a delivered stream event to the engine's event shape. */
export function toTwinEvent(event: Extract<StreamLine, { type: 'event' }>['event']): TwinEvent {
  const raw = event as typeof event & { type?: string; occurredAt?: string };
  return {
    dataset: event.dataset,
    id: event.id,
    type: raw.type ?? event.dataset,
    ...(event.subject ? { subject: event.subject } : {}),
    // Normalised to UTC: offsets such as +09:00 would otherwise order wrongly as strings.
    occurredAt: utc(raw.occurredAt ?? event.publishedAt),
    payload: event.payload,
  };
}

/**
 * Follows the service's input datasets through the exchange like any member does: one stream per granted
 * grant, resumed from the positions already applied, reconnected with backoff. The raw events are kept
 * per dataset; the twin is always built from them in one canonical order, so dropping an input (its grant
 * was revoked) or rebuilding gives exactly the twin a fresh replay would.
 */
export class InputsService {
  private readonly inputs = new Map<string, Input>();
  private revision = 0;
  private cached: TwinState | undefined;
  private stopped = false;
  /** Ended grants whose deletion we confirmed to clearing. */
  private readonly confirmed = new Set<string>();
  private grantCache: { at: number; grants: GrantSummary[] } | undefined;
  /** `${dataset}\0${purpose}` -> the request under way, so concurrent calls do not each ask clearing. */
  private readonly requesting = new Map<string, Promise<InputView>>();

  constructor(
    private readonly client: RenkeiClient,
    private readonly logger: Logger,
    private readonly options: { pollMs: number } = { pollMs: 2_000 },
  ) {}

  get clientId(): string {
    return this.client.credentials.clientId;
  }

  /** Starts following a dataset (idempotent); the stream opens once a grant of ours on it is granted. */
  follow(dataset: string, purpose: string | null = null): InputView {
    let input = this.inputs.get(dataset);
    if (!input) {
      input = {
        dataset,
        purpose,
        grant: null,
        state: 'no-grant',
        journal: new DatasetJournal(dataset),
        stream: null,
        running: false,
        lastError: null,
      };
      this.inputs.set(dataset, input);
    } else if (purpose) {
      input.purpose = purpose;
    }
    if (!input.running && !this.stopped) {
      input.running = true;
      void this.loop(input).finally(() => (input.running = false));
    }
    return this.view(input);
  }

  /**
   * After a (re)start: follows every dataset the service holds (or has asked for) a grant on as a consumer,
   * so the twin is replayed from the start of each input without anyone re-adding it. Retries until
   * clearing answers.
   */
  async resume(): Promise<number> {
    for (let backoff = 500; !this.stopped; backoff = Math.min(backoff * 2, 10_000)) {
      try {
        const grants = (await this.client.grants()) as {
          dataset: string;
          state: string;
          consumer?: string;
          purpose?: string;
        }[];
        const mine = grants.filter(
          (g) => g.consumer === this.clientId && ['requested', 'granted', 'suspended'].includes(g.state),
        );
        for (const g of mine) this.follow(g.dataset, g.purpose ?? null);
        return mine.length;
      } catch (error) {
        this.logger.warn({ err: error }, 'cannot list our grants yet; retrying');
        await sleep(backoff);
      }
    }
    return 0;
  }

  /**
   * Asks the originator for access through clearing, and follows the dataset. Idempotent: a grant of ours
   * for the same dataset and purpose that is live (granted, suspended) or still waiting is reused, its
   * state kept, and no new request lands in the originator's inbox. Concurrent calls share one answer.
   */
  request(dataset: string, purpose: string): Promise<InputView> {
    const key = `${dataset}\u0000${purpose}`;
    const running = this.requesting.get(key);
    if (running) return running;
    const request = this.requestOnce(dataset, purpose).finally(() => this.requesting.delete(key));
    this.requesting.set(key, request);
    return request;
  }

  private async requestOnce(dataset: string, purpose: string): Promise<InputView> {
    const grants = await this.client.grants();
    this.grantCache = { at: Date.now(), grants };
    const existing = grants
      .filter(
        (g) =>
          g.consumer === this.clientId &&
          g.dataset === dataset &&
          g.purpose === purpose &&
          REUSABLE.has(g.state),
      )
      .sort((a, b) => REUSABLE.get(b.state)! - REUSABLE.get(a.state)!)[0];
    // The twin replays its inputs from the start of their topics: it asks for the past, the originator
    // decides (the request shows it; approval may narrow it).
    const grant = existing ?? (await this.client.requestGrant({ dataset, purpose, historyFrom: 'all' }));
    if (!existing) this.grantCache = undefined;
    const held = this.inputs.get(dataset);
    const same = held?.grant?.id === grant.id;
    const view = this.follow(dataset, purpose);
    const input = this.inputs.get(dataset)!;
    if (!same) {
      input.grant = { id: grant.id, state: grant.state, dataset, purpose };
      input.state =
        grant.state === 'granted' ? 'connecting' : grant.state === 'suspended' ? 'suspended' : 'requested';
    }
    return { ...view, grant: { id: input.grant!.id, state: input.grant!.state }, state: input.state };
  }

  list(): InputView[] {
    return [...this.inputs.values()].map((i) => this.view(i));
  }

  get(dataset: string): InputView | undefined {
    const input = this.inputs.get(dataset);
    return input ? this.view(input) : undefined;
  }

  /** The twin as of now: built once per change of the inputs, then shared (it is never mutated). */
  state(): TwinState {
    if (this.cached?.revision === this.revision) return this.cached;
    const entries: JournalEntry[] = [];
    const lineage: LineageEntry[] = [];
    for (const input of [...this.inputs.values()].sort((a, b) => (a.dataset < b.dataset ? -1 : 1))) {
      if (input.journal.size === 0) continue;
      entries.push(...input.journal.all());
      const versions = [...input.journal.contractVersions];
      lineage.push({
        dataset: input.dataset,
        version: versions[versions.length - 1] ?? 'unknown',
        events: input.journal.size,
        lastEventId: input.journal.lastEventId,
        originators: [...input.journal.originators].sort(),
      });
    }
    entries.sort(canonicalCompare);
    const builder = new TwinBuilder();
    for (const entry of entries) builder.apply(entry.event);
    const twin = builder.snapshot();
    this.cached = { twin, digest: twinDigest(twin), revision: this.revision, lineage };
    return this.cached;
  }

  /**
   * Drops the cached twin and replays the raw events of every input from the start, in the canonical
   * order. `before` is the digest of the twin served until now (built from the same journals, so the two
   * are equal unless the cache was stale); it does not re-read the topics — a restart does that.
   */
  rebuild(): { before: string; after: string; events: number } {
    const before = this.state().digest;
    this.cached = undefined;
    this.revision += 1;
    const state = this.state();
    return { before, after: state.digest, events: state.lineage.reduce((n, l) => n + l.events, 0) };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const input of this.inputs.values()) input.stream?.close();
    await sleep(0);
  }

  // ------------------------------------------------------------------ the per-input loop

  private async loop(input: Input): Promise<void> {
    let backoff = 500;
    while (!this.stopped) {
      try {
        const grant = await this.grantFor(input);
        if (grant?.id !== input.grant?.id || grant?.state !== input.grant?.state) {
          this.logger.info({ dataset: input.dataset, grant: grant?.id, state: grant?.state }, 'grant state');
        }
        const previous = input.grant;
        input.grant = grant ?? previous;
        if (!grant || grant.state !== 'granted') {
          const state = grant?.state ?? previous?.state ?? 'no-grant';
          input.state = (state === 'granted' ? 'no-grant' : state) as InputState;
          if (grant && ['revoked', 'expired', 'suspended', 'rejected'].includes(grant.state)) {
            await this.dropContribution(input, grant);
          }
          await sleep(this.options.pollMs);
          continue;
        }
        input.purpose ??= grant.purpose ?? null;
        input.state = 'connecting';
        const token = await this.client.datasetToken(input.dataset, 'subscribe', grant.id);
        // An empty journal (first start, or a restart: the journal lives in memory) replays the whole topic,
        // so the twin is rebuilt from the start exactly; otherwise it resumes past what was applied.
        const stream = await this.client.stream(input.dataset, token, {
          after: input.journal.size === 0 ? 'start' : input.journal.after(),
        });
        input.stream = stream;
        input.state = 'streaming';
        input.lastError = null;
        backoff = 500;
        const end = await this.consume(input, stream);
        input.stream = null;
        if (this.stopped) return;
        this.logger.info({ dataset: input.dataset, code: end.code }, 'stream ended');
        if (GRANT_ENDED.has(end.code)) {
          this.grantCache = undefined;
          // The next turn reads the grant's new state from clearing and drops the dataset's contribution.
          continue;
        }
      } catch (error) {
        input.stream = null;
        input.lastError = error instanceof RenkeiError ? error.message : String(error);
        if (error instanceof RenkeiError && error.status === 403) this.grantCache = undefined;
        this.logger.warn({ dataset: input.dataset, err: input.lastError }, 'input stream failed; retrying');
      }
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 10_000);
    }
  }

  private async consume(input: Input, stream: DeliveryStream): Promise<{ code: string }> {
    try {
      for await (const line of stream.lines) {
        if (line.type === 'event') {
          const { partition, offset } = parsePosition(line.position);
          const added = input.journal.add({
            event: toTwinEvent(line.event),
            partition,
            offset,
            contractVersion: line.event.contractVersion,
            originator: line.event.originator,
          });
          // Only a counter: the twin is rebuilt when state() is next asked for, once for all events since.
          if (added) this.revision += 1;
        } else if (line.type === 'end') {
          return { code: line.code };
        }
      }
      return { code: 'STREAM.CLOSED' };
    } finally {
      stream.close();
    }
  }

  /**
   * The grant no longer covers the data: forget everything it delivered (the twin is rebuilt from the
   * remaining inputs) and confirm the deletion to the originator with a signed receipt.
   */
  private async dropContribution(input: Input, grant: GrantSummary): Promise<void> {
    if (input.journal.size > 0 || input.journal.positions.size > 0) {
      const events = input.journal.size;
      input.journal.clear();
      this.revision += 1;
      this.logger.info({ dataset: input.dataset, grant: grant.id, events }, 'input dropped from the twin');
    }
    if ((grant.state !== 'revoked' && grant.state !== 'expired') || this.confirmed.has(grant.id)) return;
    try {
      const open = await this.client.deletionObligations({
        role: 'consumer',
        grant: grant.id,
        status: 'open',
      });
      for (const obligation of open) {
        await this.client.confirmDeletion(obligation.id, { method: 'delete' });
        this.logger.info({ obligation: obligation.id, dataset: input.dataset }, 'deletion confirmed');
      }
      this.confirmed.add(grant.id);
    } catch (error) {
      this.logger.warn({ err: String(error), grant: grant.id }, 'deletion receipt not sent yet');
    }
  }

  /** Our newest grant on the dataset as consumer (a live one first), read from clearing. */
  private async grantFor(input: Input): Promise<GrantSummary | null> {
    const now = Date.now();
    if (!this.grantCache || now - this.grantCache.at > Math.min(this.options.pollMs, 1_000)) {
      this.grantCache = { at: now, grants: await this.client.grants() };
    }
    const mine = this.grantCache.grants.filter(
      (g) => g.dataset === input.dataset && (g.consumer === undefined || g.consumer === this.clientId),
    );
    const rank = (g: GrantSummary) =>
      g.state === 'granted' ? 3 : g.state === 'requested' ? 2 : g.state === 'suspended' ? 1 : 0;
    mine.sort((a, b) => rank(b) - rank(a) || (b.updatedAt ?? '').localeCompare(a.updatedAt ?? '') || 0);
    // A grant we hold data under stays the one we report on, so its revocation is noticed.
    const held = input.grant ? mine.find((g) => g.id === input.grant!.id) : undefined;
    const best = mine[0] ?? null;
    if (held && best && best.state === 'granted' && held.id !== best.id) return best;
    if (held && held.state !== 'granted' && input.journal.size > 0) return held;
    return best ?? held ?? null;
  }

  private view(input: Input): InputView {
    return {
      dataset: input.dataset,
      purpose: input.purpose,
      grant: input.grant ? { id: input.grant.id, state: input.grant.state } : null,
      state: input.state,
      eventsApplied: input.journal.size,
      lastEventId: input.journal.lastEventId,
      positions: Object.fromEntries([...input.journal.positions].map(([p, o]) => [String(p), o.toString()])),
      contractVersions: [...input.journal.contractVersions],
      lastError: input.lastError,
    };
  }
}
