import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import {
  DomainError,
  historyStartMs,
  Topics,
  type Clock,
  type DataEnvelope,
  type DecisionRecordInput,
  type GrantView,
  type PlatformEvent,
  type PlatformProjection,
} from '@renkei/domain';
import { isEncryptedValue } from '@renkei/crypto';
import type { Principal } from '@renkei/auth';
import { recordSpan } from '@renkei/platform';
import { applyObligations, pseudonym, type PolicyDecision, type PolicyGate } from '@renkei/policy';
import type { DecisionRecorder } from '../decisions/decision-recorder.js';
import type { Protection } from '../protection/protection.js';
import type { DataTopics } from '../topics/data-topics.js';
import type { DeliveryHub } from './delivery-hub.js';
import type { GrantPositions, Positions } from './grant-positions.js';
import type { StreamLine, StreamStart } from './subscribe.dto.js';
import type { FeedBatch, FeedReader, TopicFeed } from './topic-feed.js';

const noticeCodes = {
  'contract.published': 'CONTRACT.NEW_VERSION',
  'contract.deprecated': 'CONTRACT.DEPRECATED',
  'contract.retired': 'CONTRACT.RETIRED',
} as const;

const HEARTBEAT_MS = 15_000;

/**
 * Events a stream may hold that its client has not taken yet (beyond what the socket buffers). Past it the
 * stream ends with STREAM.TOO_SLOW and the client resumes from its positions: one slow client never holds
 * back the shared consumer, other streams, or the exchange's memory.
 */
export const STREAM_BUFFER_EVENTS = 2_000;

/** Denied only because the events were published before the grant's history start: skipped, not an end. */
const outsideHistory = (decision: PolicyDecision) =>
  !decision.allow && decision.reasons.length === 1 && decision.reasons[0] === 'GRANT.HISTORY_NOT_GRANTED';

/** What a stream is delivered with; the same for every stream of the exchange (see SubscribeService). */
export interface SubscriptionDeps {
  /** The dataset's shared feed, and the one admin connection for offset lookups. */
  hub: Pick<DeliveryHub, 'join' | 'leave' | 'admin' | 'lowOffsets'>;
  /** Where each grant's delivery stands, for streams opened without `?after=`. */
  positions: Pick<GrantPositions, 'get' | 'advance'>;
  state: PlatformProjection;
  gate: Pick<PolicyGate, 'decide'>;
  decisions: DecisionRecorder;
  topics: Pick<DataTopics, 'ensure'>;
  protection: Pick<Protection, 'reveal'>;
  clock: Clock;
  logger: Pick<Logger, 'warn'>;
  /** With the grant's id, the key of the pseudonyms this grant's consumer sees. */
  pseudonymSecret: string;
  /** Events held for a slow client before its stream ends (STREAM_BUFFER_EVENTS unless a test says). */
  bufferEvents?: number;
}

/**
 * A bounded read of what is on the topic (the HttpData-PULL format of a DSP transfer): it ends at the
 * positions the topic had when it opened, after `limit` events read, or after `maxMs`, whichever comes first,
 * and leaves the grant's stored delivery position alone (a snapshot is not the grant's stream).
 */
export interface SnapshotBounds {
  /** partition -> the offset to stop before (the topic's high watermark when the snapshot opened). */
  until: ReadonlyMap<number, bigint>;
  limit: number;
  maxMs: number;
}

/** A snapshot reads at most this many events per request; the rest with ?after=. */
export const SNAPSHOT_MAX_EVENTS = 10_000;
/** A snapshot answers within this long; the rest with ?after=. */
export const SNAPSHOT_MAX_MS = 30_000;

/**
 * One open delivery stream for one grant: it reads its dataset's shared feed (TopicFeed) from its own
 * positions, holds at most a bounded number of events for its client, decides every batch under the grant
 * (obligations applied to every event), records the decisions and its positions, and ends at once when the
 * grant stops being active or the token expires.
 */
export class Subscription implements FeedReader {
  private feed: TopicFeed | undefined;
  private closed = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private expiry: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  /** The store of decision records and positions in flight, if any (see store()); close() waits for it. */
  private bookkeeping: Promise<void> = Promise.resolve();
  private storing = false;
  /** Decision records and positions of delivered batches that the next store takes. */
  private unrecorded: DecisionRecordInput[] = [];
  private unstoredPositions = new Map<number, bigint>();
  /**
   * partition -> the next offset this stream takes from the feed. Whatever the feed offers below it was
   * taken already (the feed was rewound for another stream) and is not queued twice.
   */
  private readonly next = new Map<number, bigint>();
  /**
   * Per partition, the last offset this client has been given or skipped past (a withheld record): what its
   * `end` line names as `position`, so that `?after=` it resumes with nothing lost and nothing twice.
   */
  private readonly processed = new Map<number, bigint>();
  /**
   * Partitions where the feed has reached this stream's position. Until then a batch that starts past it
   * (read before the feed was rewound for this stream) is not taken: taking it would skip events.
   */
  private readonly joined = new Set<number>();
  /** Batches taken from the feed and not yet written to the client, in order. */
  private readonly queue: FeedBatch[] = [];
  private queued = 0;
  private pumping = false;
  /** Snapshot: events taken so far, and whether the limit cut the read short. */
  private taken = 0;
  private capped = false;
  private deadline: NodeJS.Timeout | undefined;
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(
    private readonly deps: SubscriptionDeps,
    private readonly principal: Principal,
    private readonly grant: GrantView,
    private readonly out: ServerResponse,
    /** partition -> last offset the client has processed (from `?after=`); otherwise the grant's position. */
    private readonly resumeAfter: StreamStart = new Map(),
    /** A snapshot read rather than a stream. */
    private readonly snapshot?: SnapshotBounds,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /** The client has gone (or the stream was ended) and the stream is being shut down. */
  get closing(): boolean {
    return this.closed;
  }

  async start(): Promise<void> {
    this.out.writeHead(200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    // Node holds the headers until the first body write; the client should know at once that it is subscribed.
    this.out.flushHeaders();
    this.out.on('close', () => void this.close());
    this.unsubscribe = this.watchGrant();
    // The stream ends when the token expires or the grant's validity runs out, whichever comes first.
    const now = this.deps.clock.now().getTime();
    const tokenLeft = (this.principal.claims.exp ?? 0) * 1000 - now;
    const grantLeft = this.grant.validUntil ? Date.parse(this.grant.validUntil) - now : Infinity;
    this.expiry = setTimeout(
      () =>
        void (grantLeft < tokenLeft
          ? this.end('GRANT.EXPIRED', 'The grant has reached its end date')
          : this.end('TOKEN.EXPIRED', 'The access token expired; reconnect with a new one')),
      Math.max(0, Math.min(tokenLeft, grantLeft)),
    );
    this.heartbeat = setInterval(
      () => this.write({ type: 'heartbeat', at: new Date().toISOString() }),
      HEARTBEAT_MS,
    );
    if (this.snapshot) {
      this.deadline = setTimeout(
        () =>
          void this.end(
            'SNAPSHOT.PARTIAL',
            'The snapshot reached its time limit; read again with ?after= your last positions',
          ),
        this.snapshot.maxMs,
      );
    }
    // A transfer ended between the check and this moment: the stream ends at once.
    const transfer = this.transferRefusal();
    if (transfer) {
      await this.end('TRANSFER.ENDED', transfer);
      return;
    }
    await this.deps.topics.ensure(this.grant.dataset);
    const from = await this.startPositions(Topics.data(this.grant.dataset));
    if (this.closed) return;
    for (const [partition, offset] of from) {
      this.next.set(partition, offset);
      if (offset > 0n) this.processed.set(partition, offset - 1n);
    }
    // A snapshot with nothing to read (an empty topic, or ?after= its end) is complete before it joins.
    if (this.snapshotDone()) {
      await this.end('SNAPSHOT.COMPLETE', 'Everything on the topic when the snapshot opened was read');
      return;
    }
    const feed = await this.deps.hub.join(this.grant.dataset, this, from);
    this.feed = feed;
    // The client left while we were joining; close() ran before the feed was known.
    if (this.closed) await this.deps.hub.leave(feed, this);
  }

  /** Why a transfer-bound token may no longer be honoured (null: it may, or it names no transfer). */
  private transferRefusal(event?: { id: string; state: string; tokenId: string | null }): string | null {
    const tid = this.principal.claims.tid;
    if (!tid) return null;
    const transfer = event ?? this.deps.state.transfers.get(tid);
    if (!transfer) return 'The transfer has ended';
    if (transfer.id !== tid) return null;
    if (transfer.state !== 'STARTED') return `The transfer is now ${transfer.state}`;
    if (transfer.tokenId !== this.principal.claims.jti)
      return 'The transfer was started again with a new token';
    return null;
  }

  /** A snapshot has read every partition up to where the topic stood when it opened. */
  private snapshotDone(): boolean {
    if (!this.snapshot) return false;
    for (const [partition, end] of this.snapshot.until) {
      if ((this.next.get(partition) ?? 0n) < end) return false;
    }
    return true;
  }

  /** After the queue is written: a snapshot that has read all it may read ends with its code. */
  private async finishSnapshot(): Promise<void> {
    if (!this.snapshot || this.closed || this.queue.length > 0) return;
    if (this.snapshotDone())
      await this.end('SNAPSHOT.COMPLETE', 'Everything on the topic when the snapshot opened was read');
    else if (this.capped)
      await this.end(
        'SNAPSHOT.PARTIAL',
        `The snapshot read its limit of ${this.snapshot.limit} events; read again with ?after= your last positions`,
      );
  }

  /**
   * Where this stream starts on each partition (the next offset to deliver). No stream reads before the
   * grant's history start, however it asks: `start` means the start of what the grant covers, and a
   * partition with no position yet starts there. A position (the client's ?after=, or the grant's stored
   * one) is resumed exactly and never moved forward by a timestamp lookup: deliverBatch() withholds any
   * event published before the history start one by one, so a lookup answered wrongly (say, with the end
   * offset by a broker just back from a crash) cannot skip acknowledged events.
   */
  private async startPositions(topic: string): Promise<Map<number, bigint>> {
    const from = historyStartMs(this.deps.state.grants.get(this.grant.id) ?? this.grant);
    const admin = await this.deps.hub.admin();
    const [low, stored] = await Promise.all([
      this.deps.hub.lowOffsets(topic),
      this.resumeAfter === 'start' ? undefined : this.storedPositions(topic),
    ]);
    // A lookup that fails leaves every partition where it would start anyway: deliverBatch() withholds the
    // events before the history start one by one, so nothing is skipped blindly.
    const history =
      from <= 0
        ? null
        : await admin
            .fetchTopicOffsetsByTimestamp(topic, from)
            .then((offsets) => new Map(offsets.map((o) => [o.partition, BigInt(o.offset)])))
            .catch((error: unknown) => {
              this.deps.logger.warn({ err: error, grant: this.grant.id }, 'history start lookup failed');
              return null;
            });
    const positions = new Map<number, bigint>();
    for (const { partition, low: first } of low) {
      const earliest = BigInt(first);
      const after = this.resumeAfter === 'start' ? undefined : this.resumeAfter.get(partition);
      const at =
        after !== undefined
          ? after + 1n
          : (stored?.get(partition) ??
            (() => {
              const h = history?.get(partition);
              return h !== undefined && h > earliest ? h : earliest;
            })());
      // What retention deleted is gone: the stream starts at the first event still on the topic.
      positions.set(partition, at < earliest ? earliest : at);
    }
    return positions;
  }

  /**
   * The grant's stored position; for a grant last streamed before ADR 0027, the offsets its old consumer
   * group committed (`renkei.grant.<id>`), which is then deleted: the upgrade resumes where it stopped and
   * leaves no group behind.
   */
  private async storedPositions(topic: string): Promise<Positions | undefined> {
    const stored = await this.deps.positions.get(this.grant.id);
    if (stored) return stored;
    const admin = await this.deps.hub.admin();
    const groupId = `renkei.grant.${this.grant.id}`;
    try {
      const [group] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const committed = new Map(
        (group?.partitions ?? [])
          .filter((p) => BigInt(p.offset) >= 0n)
          .map((p) => [p.partition, BigInt(p.offset)]),
      );
      if (committed.size === 0) return undefined;
      for (const [partition, next] of committed) this.deps.positions.advance(this.grant.id, partition, next);
      await admin.deleteGroups([groupId]).catch(() => undefined);
      return committed;
    } catch (error) {
      this.deps.logger.warn({ err: error, grant: this.grant.id }, 'legacy group lookup failed');
      return undefined;
    }
  }

  /** A batch the feed read (after the barrier): what this stream has not taken yet is queued for it. */
  offer(batch: FeedBatch): void {
    if (this.closed || batch.messages.length === 0) return;
    const { partition } = batch;
    const next = this.next.get(partition) ?? 0n;
    if (!this.joined.has(partition)) {
      if (batch.messages[0]!.offset > next) return;
      this.joined.add(partition);
    }
    let fresh = batch.messages.filter((m) => m.offset >= next);
    if (this.snapshot) {
      // A snapshot takes nothing published after it opened, and at most its limit of events.
      const end = this.snapshot.until.get(partition) ?? 0n;
      fresh = fresh.filter((m) => m.offset < end);
      const room = this.snapshot.limit - this.taken;
      if (fresh.length > room) {
        fresh = fresh.slice(0, Math.max(0, room));
        this.capped = true;
      }
      this.taken += fresh.length;
      if (fresh.length === 0) {
        if (this.capped && !this.pumping && this.queue.length === 0) void this.finishSnapshot();
        return;
      }
    }
    if (fresh.length === 0) return;
    this.next.set(partition, fresh[fresh.length - 1]!.offset + 1n);
    const limit = this.deps.bufferEvents ?? STREAM_BUFFER_EVENTS;
    // Only events already waiting make a client too slow. A batch bigger than the bound on its own (a
    // stream resuming far behind: the feed fetches up to a megabyte per partition) is taken: ending it
    // would end every reconnect the same way, and it never got an event (seen after a broker fault).
    // Its messages are the feed's own objects, so taking it costs the exchange no memory of its own.
    if (this.queued > 0 && this.queued + fresh.length > limit) {
      void this.end(
        'STREAM.TOO_SLOW',
        'You read more slowly than events arrive; reconnect with ?after= your last positions',
      );
      return;
    }
    this.queue.push({ partition, messages: fresh });
    this.queued += fresh.length;
    void this.pump();
  }

  /** The feed stopped for good: the client resumes exactly after its last positions. */
  interrupted(): void {
    void this.end('STREAM.INTERRUPTED', 'The event bus failed; reconnect with ?after= your last positions');
  }

  /** Writes the queued batches one after the other; a client that reads slowly holds back only itself. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.closed && this.queue.length > 0) {
        const batch = this.queue.shift()!;
        this.queued -= batch.messages.length;
        await this.deliverBatch(batch);
      }
      await this.finishSnapshot();
    } catch (error) {
      this.deps.logger.warn({ err: error, grant: this.grant.id }, 'delivery failed');
      await this.end('STREAM.INTERRUPTED', 'Delivery failed; reconnect with ?after= your last positions');
    } finally {
      this.pumping = false;
    }
  }

  /** Ends the stream with a reason the client can act on. */
  async end(code: string, message: string, policy?: { rule: string; explanation: string }): Promise<void> {
    if (this.closed) return;
    const position = this.position();
    this.write({ type: 'end', code, message, ...policy, ...(position ? { position } : {}) });
    this.out.end();
    await this.close();
  }

  /** `partition:offset,…` of the last events given or skipped, as `?after=` takes it; null before any. */
  private position(): string | null {
    const pairs = [...this.processed]
      .sort(([a], [b]) => a - b)
      .map(([partition, offset]) => `${partition}:${offset}`);
    return pairs.length > 0 ? pairs.join(',') : null;
  }

  /** Ends the stream the moment the grant stops being active or the consumer is suspended. */
  private watchGrant(): () => void {
    const listener = (event: PlatformEvent) => {
      if (
        event.type === 'grant.changed' &&
        event.grant.id === this.grant.id &&
        event.grant.state !== 'granted'
      ) {
        void this.end(
          event.grant.state === 'revoked' ? 'GRANT.REVOKED' : 'GRANT.NOT_ACTIVE',
          `The grant is now ${event.grant.state}`,
        );
      }
      // A DSP transfer suspended, completed or terminated (or started again with a new token) ends the
      // streams of its token at once.
      if (event.type === 'transfer.changed' && event.transfer.id === this.principal.claims.tid) {
        const refusal = this.transferRefusal(event.transfer);
        if (refusal) void this.end('TRANSFER.ENDED', refusal);
      }
      if (
        event.type === 'participant.upserted' &&
        event.participant.id === this.principal.participantId &&
        event.participant.status !== 'active'
      ) {
        void this.end(
          'SUBJECT.NOT_ACTIVE',
          `Your participation is ${event.participant.status}; contact the consortium admin`,
        );
      }
      // The consumer hears about changes to the contract it reads under as they happen, in the stream.
      if (
        'contract' in event &&
        event.contract.dataset === this.grant.dataset &&
        event.type !== 'contract.drafted'
      ) {
        const code = noticeCodes[event.type];
        const { dataset, version } = event.contract;
        this.write({
          type: 'notice',
          code,
          dataset,
          version,
          message:
            code === 'CONTRACT.NEW_VERSION'
              ? `Version ${version} of '${dataset}' is published; events may follow it from now on`
              : `Version ${version} of '${dataset}' is ${code === 'CONTRACT.DEPRECATED' ? 'deprecated' : 'retired'}`,
          reason: event.reason ?? null,
        });
      }
    };
    return this.deps.state.onEvent(listener);
  }

  /**
   * Decides one batch under the grant as it stands now (the feed passed the barrier before offering it,
   * so an acknowledged revocation is applied) and writes what the decision allows, obligations applied.
   */
  private async deliverBatch(batch: FeedBatch): Promise<void> {
    if (this.closed) return;
    const grant = this.deps.state.grants.get(this.grant.id) ?? this.grant;
    const parsed = batch.messages.map((m) => m.envelope);
    const startedAt = Date.now();
    const now = this.deps.clock.now();
    const current = this.deps.state.currentContract(grant.dataset);
    // Each event is decided under the contract version it was published under (usually one per batch), and
    // apart for events published before the grant's history start (the policy withholds those).
    const historyFrom = historyStartMs(grant);
    const publishedAt = (e: DataEnvelope, i: number) => {
      const at = Date.parse(e.publishedAt);
      return Number.isNaN(at) ? Number(batch.messages[i]!.timestamp) : at;
    };
    const keyOf = (e: DataEnvelope, i: number) =>
      `${publishedAt(e, i) < historyFrom ? 'past' : 'live'} ${e.contractVersion}`;
    const byVersion = new Map<string, { version: string; records: DataEnvelope[]; publishedFrom: number }>();
    // Each event's group, worked out once per batch: every later step looks it up by the event.
    const keys = new Map<DataEnvelope, string>();
    for (const [i, e] of parsed.entries()) {
      if (!e) continue;
      const key = keyOf(e, i);
      keys.set(e, key);
      const group = byVersion.get(key) ?? {
        version: e.contractVersion,
        records: [] as DataEnvelope[],
        publishedFrom: Infinity,
      };
      if (e.subject) group.records.push(e);
      group.publishedFrom = Math.min(group.publishedFrom, publishedAt(e, i));
      byVersion.set(key, group);
    }
    const groups = new Map<
      string,
      {
        record: DecisionRecordInput;
        decision: PolicyDecision;
        delivered: string[];
      }
    >();
    for (const [key, { version, records, publishedFrom }] of byVersion) {
      // What each record's person said about this use of that record, keyed by event id (no person
      // reference goes into the policy input, nor into the decision record): the policy withholds,
      // pseudonymises or identifies each record.
      const { result, record } = this.deps.gate.decide({
        action: 'deliver',
        subjectId: this.principal.participantId,
        dataset: grant.dataset,
        contract: this.deps.state.contracts.get(grant.dataset)?.get(version) ?? current,
        grant,
        purpose: grant.purpose,
        now,
        subjects: this.deps.state.consentsFor(
          grant.originator,
          { dataset: grant.dataset, purpose: grant.purpose, recipient: grant.consumer, now: now.getTime() },
          records.map((e) => ({
            key: e.id,
            subject: e.subject!,
            record: { type: e.type, labels: e.labels ?? [], at: Date.parse(e.occurredAt) },
          })),
        ),
        delivery: { publishedFrom },
      });
      groups.set(key, { record, decision: result, delivered: [] });
    }
    const groupOf = (e: DataEnvelope) => groups.get(keys.get(e)!)!;
    // Events the grant's history term does not cover are skipped (the position moves past them); any other
    // denial stops delivery at the first event of its group: the stream ends there.
    const withheld = (e: DataEnvelope) => outsideHistory(groupOf(e).decision);
    let stop = parsed.findIndex((e) => e !== null && !groupOf(e).decision.allow && !withheld(e));
    if (stop < 0) stop = parsed.length;
    const denial = stop < parsed.length ? groupOf(parsed[stop]!).decision : undefined;
    let next: bigint | undefined;
    if (stop > 0) {
      const pseudonymKey = `${this.deps.pseudonymSecret}:${grant.id}`;
      // Records of people who opted out are never decrypted: they are withheld anyway.
      const toReveal = parsed.map((e, i) =>
        e &&
        i < stop &&
        !withheld(e) &&
        !(e.subject && groupOf(e).decision.obligations.withhold.includes(e.id))
          ? e
          : null,
      );
      const revealed = await this.reveal(grant, toReveal);
      if (revealed === 'ended') return;
      for (const [i, message] of batch.messages.entries()) {
        // Once the stream has ended (its `end` line written), nothing more counts as delivered.
        if (i >= stop || this.closed || this.out.writableEnded) break;
        const envelope = parsed[i];
        const group = envelope ? groupOf(envelope) : undefined;
        const clear = envelope && toReveal[i] ? revealed?.[i] : undefined;
        let payload =
          envelope && !withheld(envelope)
            ? applyObligations(
                clear?.payload ?? envelope.payload,
                group!.decision.obligations,
                pseudonymKey,
                envelope.subject ? envelope.id : null,
              )
            : null;
        // A grant limited to fields delivers those fields only: whatever else a payload carries stays behind.
        if (payload && grant.fields !== null) {
          const allowed = new Set(grant.fields);
          payload = Object.fromEntries(Object.entries(payload).filter(([k]) => allowed.has(k)));
        }
        // A withheld record (the person opted out) is skipped, and the position still moves past it.
        if (envelope && payload) {
          const { decision } = group!;
          const identified = new Set(decision.obligations.identify);
          const position = `${batch.partition}:${message.offset}`;
          // Where personal fields are pseudonymised, so is the person reference: it would link them again.
          const subject =
            envelope.subject && decision.obligations.pseudonymise.length > 0 && !identified.has(envelope.id)
              ? pseudonym(envelope.subject, pseudonymKey)
              : envelope.subject;
          const event = {
            ...envelope,
            ...(subject ? { subject } : {}),
            payload,
            ...(clear && clear.erased.length > 0 ? { erased: clear.erased } : {}),
          };
          const written = this.write({ type: 'event', event, position });
          // Written is given: an `end` line while this waits for the socket must name it.
          this.processed.set(batch.partition, message.offset);
          if (!written) await this.drained();
          group!.delivered.push(envelope.id);
          // The publication's trace ends here (tracing on only): decided, obligations applied, written.
          recordSpan('exchange.deliver', message.traceparent, startedAt, {
            'messaging.system': 'kafka',
            'renkei.position': position,
          });
        }
        next = message.offset + 1n;
        this.processed.set(batch.partition, message.offset);
      }
    }
    const records = [...groups.values()].map(({ record, delivered }) => ({ ...record, eventIds: delivered }));
    // The decision records and then the grant's new position are stored in order, off the delivery path:
    // the next batch does not wait for them. The grant's position is where the next stream without ?after=
    // resumes; a client that must not miss anything resumes from its own positions. close() waits for this.
    this.unrecorded.push(...records);
    // A snapshot is not the grant's stream: where it read to is the client's to keep (?after=).
    if (next !== undefined && !this.snapshot) this.unstoredPositions.set(batch.partition, next);
    this.store();
    if (denial) {
      const because = denial.explanations.map((e) => e.message).join('; ');
      await this.end(
        denial.reasons[0] ?? 'POLICY.DENIED',
        `Delivery denied by policy (${denial.reasons.join(', ')}): ${because}`,
        { rule: denial.rule, explanation: denial.explanations[0]?.message ?? denial.rule },
      );
    }
  }

  /**
   * Stores what delivered batches left to store, one store at a time: the decision records (one produce
   * request), then the grant's positions. Batches delivered while a store is in flight go into the next
   * one, so when the audit topic is slower than delivery the stores grow larger instead of queueing up
   * one per batch: a chain of one store per batch grew without bound at 1,500 deliveries/s (the soak
   * benchmark, docs/benchmarks.md) and held every pending batch's records in memory.
   */
  private store(): void {
    if (this.storing) return;
    this.storing = true;
    this.bookkeeping = (async () => {
      while (this.unrecorded.length > 0 || this.unstoredPositions.size > 0) {
        const records = this.unrecorded;
        const positions = this.unstoredPositions;
        this.unrecorded = [];
        this.unstoredPositions = new Map();
        try {
          await this.deps.decisions.record(records);
          for (const [partition, next] of positions)
            this.deps.positions.advance(this.grant.id, partition, next);
        } catch (error) {
          // An unrecorded position means the next stream delivers these events again (at-least-once).
          this.deps.logger.warn({ err: error, grant: this.grant.id }, 'decision record or position failed');
        }
      }
      this.storing = false;
    })();
  }

  /**
   * Decrypts protected fields for this grant (clearing releases keys only while the grant is live). If
   * clearing refuses, the grant has ended: the stream ends, nothing of the batch is delivered.
   */
  private async reveal(
    grant: GrantView,
    envelopes: (DataEnvelope | null)[],
  ): Promise<{ payload: Record<string, unknown>; erased: string[] }[] | null | 'ended'> {
    const present = envelopes.filter((e): e is DataEnvelope => e !== null);
    if (!present.some((e) => Object.values(e.payload).some(isEncryptedValue))) return null;
    try {
      const revealed = await this.deps.protection.reveal(
        { id: grant.id, consumer: grant.consumer, dataset: grant.dataset },
        present,
      );
      let j = 0;
      return envelopes.map((e) => (e ? revealed[j++]! : { payload: {}, erased: [] }));
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'forbidden') {
        void this.end(error.code, 'Data keys are no longer released for this grant');
        return 'ended';
      }
      throw error;
    }
  }

  private write(line: StreamLine): boolean {
    if (this.closed || this.out.writableEnded) return true;
    return this.out.write(JSON.stringify(line) + '\n');
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.out.off('drain', done);
        this.out.off('close', done);
        resolve();
      };
      this.out.once('drain', done);
      this.out.once('close', done);
    });
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.expiry);
    clearTimeout(this.deadline);
    this.unsubscribe?.();
    // Nothing more is held for this client; the last stream of a dataset stops its feed.
    this.queue.length = 0;
    this.queued = 0;
    if (!this.out.writableEnded) this.out.end();
    try {
      await Promise.all([this.bookkeeping, this.feed && this.deps.hub.leave(this.feed, this)]);
    } catch (error) {
      this.deps.logger.warn({ err: error, grant: this.grant.id }, 'stream did not close cleanly');
    }
    this.resolveDone();
  }
}
