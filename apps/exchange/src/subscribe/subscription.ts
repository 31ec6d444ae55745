import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { ServerResponse } from 'node:http';
import { Topics, type DataEnvelope, type GrantView, type PlatformEvent } from '#libs/domain';
import type { Principal } from '#libs/auth';
import { applyObligations, buildPolicyInput, decisionRecord } from '#libs/policy';
import type { ExchangeRuntime } from '../exchange-runtime.js';

export type StreamLine =
  | { type: 'event'; event: DataEnvelope }
  | { type: 'heartbeat'; at: string }
  | { type: 'end'; code: string; message: string };

const HEARTBEAT_MS = 15_000;

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
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(
    private readonly rt: ExchangeRuntime,
    private readonly principal: Principal,
    private readonly grant: GrantView,
    private readonly out: ServerResponse,
    private readonly pseudonymKey: string,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
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
    const msLeft = (this.principal.claims.exp ?? 0) * 1000 - this.rt.clock.now().getTime();
    this.expiry = setTimeout(
      () => void this.end('TOKEN.EXPIRED', 'The access token expired; reconnect with a new one'),
      Math.max(0, msLeft),
    );
    this.heartbeat = setInterval(
      () => this.write({ type: 'heartbeat', at: new Date().toISOString() }),
      HEARTBEAT_MS,
    );
    await this.rt.ensureDataTopics(this.grant.dataset);
    this.consumer = this.rt.kafka.consumer({
      groupId: `renkei.grant.${this.grant.id}`,
      maxWaitTimeInMs: 20,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [Topics.data(this.grant.dataset)], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (batch) => this.deliver(batch),
    });
  }

  /** Ends the stream with a reason the client can act on. */
  async end(code: string, message: string): Promise<void> {
    if (this.closed) return;
    this.write({ type: 'end', code, message });
    this.out.end();
    await this.close();
  }

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
    };
    return this.rt.state.onEvent(listener);
  }

  private async deliver({
    batch,
    resolveOffset,
    commitOffsetsIfNecessary,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    // Everything clearing announced before now is applied before we decide: an acknowledged revocation wins.
    await this.rt.events.barrier();
    if (this.closed || !isRunning() || isStale()) return;
    const grant = this.rt.state.grants.get(this.grant.id) ?? this.grant;
    const input = buildPolicyInput(this.rt.state, {
      action: 'deliver',
      subjectId: this.principal.participantId,
      dataset: grant.dataset,
      grant,
      purpose: grant.purpose,
      now: this.rt.clock.now(),
    });
    const decision = this.rt.policy.decide(input);
    const delivered: string[] = [];
    if (decision.allow) {
      for (const message of batch.messages) {
        if (this.closed) break;
        if (message.value) {
          const envelope = JSON.parse(message.value.toString('utf8')) as DataEnvelope;
          const payload = applyObligations(
            envelope.payload,
            decision.obligations,
            `${this.pseudonymKey}:${grant.id}`,
          );
          if (!this.write({ type: 'event', event: { ...envelope, payload } })) await this.drained();
          delivered.push(envelope.id);
        }
        resolveOffset(message.offset);
      }
    }
    const record = {
      ...decisionRecord('exchange', input, decision, this.rt.policy.revision),
      eventIds: delivered,
    };
    await this.rt.record([record]);
    if (!decision.allow) {
      // Not awaited: ending disconnects the consumer, which waits for this very batch to finish.
      void this.end(
        decision.reasons[0] ?? 'POLICY.DENIED',
        `Delivery denied by policy: ${decision.reasons.join(', ')}`,
      );
      return;
    }
    try {
      await commitOffsetsIfNecessary();
      await heartbeat();
    } catch (error) {
      // Uncommitted offsets are delivered again on the next stream (at-least-once), never lost.
      this.rt.logger.warn({ err: error, grant: this.grant.id }, 'offset commit failed');
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
      await this.consumer?.disconnect();
    } catch (error) {
      this.rt.logger.warn({ err: error, grant: this.grant.id }, 'consumer did not disconnect cleanly');
    }
    this.resolveDone();
  }
}
