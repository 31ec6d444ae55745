import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
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
import {
  applyObligations,
  pseudonym,
  type PolicyDecision,
  type PolicyGate,
  type ProjectionSync,
} from '@renkei/policy';
import type { DecisionRecorder } from '../decisions/decision-recorder.js';
import type { Protection } from '../protection/protection.js';
import type { DataTopics } from '../topics/data-topics.js';
import type { StreamLine, StreamStart } from './subscribe.dto.js';

const noticeCodes = {
  'contract.published': 'CONTRACT.NEW_VERSION',
  'contract.deprecated': 'CONTRACT.DEPRECATED',
  'contract.retired': 'CONTRACT.RETIRED',
} as const;

const HEARTBEAT_MS = 15_000;

/** Denied only because the events were published before the grant's history start: skipped, not an end. */
const outsideHistory = (decision: PolicyDecision) =>
  !decision.allow && decision.reasons.length === 1 && decision.reasons[0] === 'GRANT.HISTORY_NOT_GRANTED';

/** What a stream is delivered with; the same for every stream of the exchange (see SubscribeService). */
export interface SubscriptionDeps {
  /** A consumer group per grant, and admin lookups of the topic's offsets. */
  kafka: Pick<Kafka, 'consumer' | 'admin'>;
  state: PlatformProjection;
  /** Before each batch: every platform event appended before it is applied (a revocation wins). */
  sync: ProjectionSync;
  gate: Pick<PolicyGate, 'decide'>;
  decisions: DecisionRecorder;
  topics: Pick<DataTopics, 'ensure'>;
  protection: Pick<Protection, 'reveal'>;
  clock: Clock;
  logger: Pick<Logger, 'warn'>;
  /** With the grant's id, the key of the pseudonyms this grant's consumer sees. */
  pseudonymSecret: string;
}

/**
 * One open delivery stream for one grant: a Kafka consumer group per grant (committed offsets are the
 * consumer's position), a policy decision for every batch delivered, obligations applied to every event,
 * and an immediate end when the grant stops being active or the token expires.
 */
export class Subscription {
  private consumer: Consumer | undefined;
  private closed = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private expiry: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private bookkeeping: Promise<unknown> = Promise.resolve();
  /**
   * partition -> the last offset written to this client (or given by it in `?after=`). A consumer kafkajs
   * restarts after a broker failure resumes from the committed offset, which may lag behind what was
   * written: those events are not written twice.
   */
  private readonly written = new Map<number, bigint>();
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(
    private readonly deps: SubscriptionDeps,
    private readonly principal: Principal,
    private readonly grant: GrantView,
    private readonly out: ServerResponse,
    /** partition -> last offset the client has processed (from `?after=`); otherwise the committed position. */
    private readonly resumeAfter: StreamStart = new Map(),
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /** The client has gone (or the stream was ended) and the consumer is being shut down. */
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
    await this.deps.topics.ensure(this.grant.dataset);
    this.consumer = this.deps.kafka.consumer({
      groupId: `renkei.grant.${this.grant.id}`,
      maxWaitTimeInMs: 20,
      // The broker's minimum: after a crash, the dead member's partitions are reassigned within 6 s.
      sessionTimeout: 6_000,
      heartbeatInterval: 1_000,
    });
    // Supervised by the client: a consumer kafkajs will not restart ends the stream with a reason, and the
    // client resumes exactly after its last positions (?after=) instead of waiting on a silent stream.
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) {
        void this.end(
          'STREAM.INTERRUPTED',
          'The event bus failed; reconnect with ?after= your last positions',
        );
      }
    });
    await this.consumer.connect();
    if (this.closed) {
      // The client left while we were connecting; close() ran before the consumer existed.
      await this.consumer.disconnect();
      return;
    }
    const topic = Topics.data(this.grant.dataset);
    // Where the topic starts now, and where the grant's history starts (the first offset published at or
    // after it), looked up before the consumer runs: the seek follows run() at once.
    const { low, history, committed } = await this.startOffsets(topic);
    if (this.closed) return;
    await this.consumer.subscribe({ topics: [topic], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (batch) => this.deliver(batch),
    });
    // No stream reads before the grant's history start, however it asks: `start` means the start of what
    // the grant covers, and a stream with no position yet starts there. A stream that resumes from a
    // position (the client's ?after=, or the group's) resumes exactly there and is never moved forward by
    // a timestamp lookup: deliver() withholds any event published before the history start one by one, so
    // a lookup answered wrongly (say, with the end offset by a broker just back from a crash) cannot skip
    // acknowledged events.
    const atLeast = (partition: number, offset: bigint) => {
      const from = history?.get(partition);
      return (from !== undefined && from > offset ? from : offset).toString();
    };
    if (this.resumeAfter === 'start') {
      for (const { partition, low: offset } of low) {
        this.consumer.seek({ topic, partition, offset: atLeast(partition, BigInt(offset)) });
      }
      return;
    }
    for (const [partition, offset] of this.resumeAfter) {
      this.written.set(partition, offset);
      this.consumer.seek({ topic, partition, offset: (offset + 1n).toString() });
    }
    if (!history) return;
    // Partitions with no position at all would start at their first offset: they start at the history
    // start instead, and only where that is later, so a stream with nothing to skip is never re-seeked.
    const first = new Map(low.map((o) => [o.partition, BigInt(o.low)]));
    for (const [partition, from] of history) {
      if (this.resumeAfter.has(partition) || committed.has(partition)) continue;
      const at = first.get(partition) ?? 0n;
      if (at < from) this.consumer.seek({ topic, partition, offset: from.toString() });
    }
  }

  /**
   * The topic's first offsets and, unless the grant covers all history, each partition's first offset
   * published at or after the grant's history start (its end when nothing is) and the group's positions.
   */
  private async startOffsets(topic: string): Promise<{
    low: { partition: number; low: string }[];
    history: Map<number, bigint> | null;
    /** The grant's consumer group position per partition (absent where it has none). */
    committed: Map<number, bigint>;
  }> {
    const from = historyStartMs(this.deps.state.grants.get(this.grant.id) ?? this.grant);
    if (this.resumeAfter !== 'start' && from <= 0) return { low: [], history: null, committed: new Map() };
    const admin = this.deps.kafka.admin();
    await admin.connect();
    try {
      const low = await admin.fetchTopicOffsets(topic);
      if (from <= 0) return { low, history: null, committed: new Map() };
      // A lookup that fails leaves every partition where it would start anyway: deliver() withholds the
      // events before the history start one by one, so nothing is skipped blindly.
      const history = await admin
        .fetchTopicOffsetsByTimestamp(topic, from)
        .then((offsets) => new Map(offsets.map((o) => [o.partition, BigInt(o.offset)])))
        .catch((error: unknown) => {
          this.deps.logger.warn({ err: error, grant: this.grant.id }, 'history start lookup failed');
          return null;
        });
      const [group] =
        this.resumeAfter === 'start'
          ? []
          : await admin.fetchOffsets({ groupId: `renkei.grant.${this.grant.id}`, topics: [topic] });
      const committed = new Map(
        (group?.partitions ?? [])
          .filter((p) => BigInt(p.offset) >= 0n)
          .map((p) => [p.partition, BigInt(p.offset)]),
      );
      return { low, history, committed };
    } finally {
      await admin.disconnect();
    }
  }

  /** Ends the stream with a reason the client can act on. */
  async end(code: string, message: string): Promise<void> {
    if (this.closed) return;
    this.write({ type: 'end', code, message });
    this.out.end();
    await this.close();
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
      if (
        event.type === 'participant.upserted' &&
        event.participant.id === this.principal.participantId &&
        event.participant.status !== 'active'
      ) {
        void this.end('SUBJECT.NOT_ACTIVE', 'Your participation is suspended; contact the consortium admin');
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

  private async deliver({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    // Everything clearing announced before now is applied before we decide: an acknowledged revocation wins.
    await this.deps.sync();
    if (this.closed || !isRunning() || isStale()) return;
    const grant = this.deps.state.grants.get(this.grant.id) ?? this.grant;
    const parsed = batch.messages.map((m) =>
      m.value ? (JSON.parse(m.value.toString('utf8')) as DataEnvelope) : null,
    );
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
        if (i >= stop || this.closed || isStale()) break;
        const last = this.written.get(batch.partition);
        if (last !== undefined && BigInt(message.offset) <= last) {
          resolveOffset(message.offset);
          next = BigInt(message.offset) + 1n;
          continue;
        }
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
          if (!this.write({ type: 'event', event, position })) await this.drained();
          this.written.set(batch.partition, BigInt(message.offset));
          group!.delivered.push(envelope.id);
        }
        resolveOffset(message.offset);
        next = BigInt(message.offset) + 1n;
      }
    }
    const records = [...groups.values()].map(({ record, delivered }) => ({ ...record, eventIds: delivered }));
    // The decision records and the consumer's new position are written in order, off the delivery path: the
    // next batch does not wait for them. The grant's consumer group remembers what was written to the
    // client, so the next stream resumes after it; a client that must not miss anything resumes from its
    // own positions with ?after=. close() waits for this chain.
    const consumer = this.consumer;
    this.bookkeeping = this.bookkeeping
      .then(() => this.deps.decisions.record(records))
      .then(() =>
        next !== undefined && consumer
          ? consumer.commitOffsets([
              { topic: batch.topic, partition: batch.partition, offset: next.toString() },
            ])
          : undefined,
      )
      .catch((error: unknown) => {
        // An unrecorded position means the next stream delivers these events again (at-least-once).
        this.deps.logger.warn(
          { err: error, grant: this.grant.id },
          'decision record or offset commit failed',
        );
      });
    if (denial) {
      // Not awaited: ending disconnects the consumer, which waits for this very batch to finish.
      void this.end(
        denial.reasons[0] ?? 'POLICY.DENIED',
        `Delivery denied by policy: ${denial.reasons.join(', ')}`,
      );
      return;
    }
    await heartbeat();
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
    this.unsubscribe?.();
    if (!this.out.writableEnded) this.out.end();
    try {
      await this.bookkeeping;
      await this.consumer?.disconnect();
    } catch (error) {
      this.deps.logger.warn({ err: error, grant: this.grant.id }, 'consumer did not disconnect cleanly');
    }
    this.resolveDone();
  }
}
