import { Inject, Injectable } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { collectedGauge } from '@renkei/platform';
import {
  CLOCK,
  PlatformProjection,
  badRequest,
  conflict,
  forbidden,
  notFound,
  unavailable,
  type Clock,
  type GrantView,
} from '@renkei/domain';
import { concealing } from '@renkei/domain';
import type { Principal } from '@renkei/auth';
import { PolicyGate, denied, syncNow, type ProjectionSync } from '@renkei/policy';
import { ContractCatalog } from '../contracts/contract-catalog.js';
import { DecisionRecorder } from '../decisions/decision-recorder.js';
import { ExchangeSettings, LOGGER, PROJECTION_SYNC } from '../platform/platform.module.js';
import { Protection } from '../protection/protection.js';
import { requireDatasetScope } from '../scope.js';
import { DataTopics } from '../topics/data-topics.js';
import { BatchedDecisions, DeliveryHub } from './delivery-hub.js';
import { KafkaGrantPositions, type GrantPositions } from './grant-positions.js';
import type { StreamStart } from './subscribe.dto.js';
import {
  SNAPSHOT_MAX_EVENTS,
  SNAPSHOT_MAX_MS,
  Subscription,
  type SnapshotBounds,
  type SubscriptionDeps,
} from './subscription.js';

const invalidPosition = (message: string) =>
  badRequest('STREAM.INVALID_POSITION', 'after names a position that does not exist', [
    { path: '/after', message },
  ]);

@Injectable()
export class SubscribeService {
  private readonly open = new Map<string, Subscription>();
  /** Snapshot reads in progress (they do not hold the grant's one stream). */
  private readonly snapshots = new Set<Subscription>();
  /** One shared feed per dataset with open streams (see TopicFeed). */
  readonly hub: DeliveryHub;
  /** Each grant's delivery position, kept by the exchange rather than a consumer group per grant. */
  readonly positions: GrantPositions;
  /** Every stream's decision records, sent together. */
  private readonly batchedDecisions: BatchedDecisions;

  constructor(
    @Inject(PROJECTION_SYNC) private readonly sync: ProjectionSync,
    private readonly state: PlatformProjection,
    private readonly contracts: ContractCatalog,
    private readonly gate: PolicyGate,
    private readonly decisions: DecisionRecorder,
    private readonly topics: DataTopics,
    private readonly protection: Protection,
    private readonly kafka: Kafka,
    private readonly settings: ExchangeSettings,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.hub = new DeliveryHub(kafka, sync, logger);
    this.positions = new KafkaGrantPositions(kafka, logger, settings.topics);
    this.batchedDecisions = new BatchedDecisions(decisions);
    // Read at scrape time from the exchange's own maps: no label (a per-dataset or per-grant label would
    // grow with the consortium); the feeds count how many shared consumers the streams need.
    collectedGauge(
      'renkei_exchange_open_streams',
      'Delivery streams open on this exchange',
      [],
      () => [{ labels: {}, value: this.open.size }],
      0,
    );
    collectedGauge(
      'renkei_exchange_feeds',
      'Shared dataset consumers (feeds) running for open streams',
      [],
      () => [{ labels: {}, value: this.hub.datasets.length }],
      0,
    );
  }

  /** Open streams (for tests and health). */
  get openStreams(): number {
    return this.open.size;
  }

  /** What every stream is delivered with. */
  private delivery(): SubscriptionDeps {
    return {
      hub: this.hub,
      positions: this.positions,
      state: this.state,
      gate: this.gate,
      decisions: this.batchedDecisions,
      topics: this.topics,
      protection: this.protection,
      clock: this.clock,
      logger: this.logger,
      pseudonymSecret: this.settings.pseudonymSecret,
    };
  }

  /** Every check happens before the stream opens, so refusals are ordinary 4xx answers. */
  async authorise(
    principal: Principal,
    dataset: string,
    after: StreamStart = new Map(),
    mode: 'stream' | 'snapshot' = 'stream',
  ): Promise<GrantView> {
    requireDatasetScope(principal, 'subscribe', dataset);
    // A revocation acknowledged before this call is seen: the barrier starts now.
    await syncNow(this.sync);
    this.contracts.get(dataset);
    const grantId = principal.claims.grant;
    const grant = grantId ? this.state.grants.get(grantId) : undefined;
    if (!grant || grant.consumer !== principal.participantId || grant.dataset !== dataset) {
      const error = notFound(
        'GRANT.NOT_FOUND',
        'The token names no grant of yours for this dataset',
        'Request a subscribe token for the grant you hold',
      );
      throw grant ? concealing(error, { type: 'grant', id: grant.id }) : error;
    }
    const { result: decision, record } = this.gate.decide({
      action: 'subscribe',
      subjectId: principal.participantId,
      dataset,
      grant,
      purpose: principal.claims.purpose ?? grant.purpose,
      now: this.clock.now(),
    });
    // Sent with the other streams' records (one produce per interval), and still recorded before it opens.
    await this.batchedDecisions.record([record]);
    if (!decision.allow) throw denied(decision, 'Subscribing');
    this.assertTransferActive(principal, grant);
    if (mode === 'snapshot') {
      await this.checkPositions(dataset, after);
      return grant;
    }
    const previous = this.open.get(grant.id);
    if (previous) {
      // A client that reconnects often arrives before we noticed its old connection close, or while the
      // old stream is still winding down: give it a moment rather than refusing at once.
      const wait = previous.closing ? 10_000 : 1_000;
      await Promise.race([previous.done, new Promise((r) => setTimeout(r, wait))]);
    }
    if (this.open.has(grant.id)) {
      throw conflict(
        'STREAM.ALREADY_OPEN',
        'A stream for this grant is already open',
        'Close the other stream first; one stream per grant keeps delivery in order',
      );
    }
    await this.checkPositions(dataset, after);
    return grant;
  }

  /**
   * A token bound to a DSP transfer (claim `tid`) is honoured only while that transfer is started and the
   * token is the one its latest start carried; the projection follows the transfers clearing announces.
   */
  private assertTransferActive(principal: Principal, grant: GrantView): void {
    const tid = principal.claims.tid;
    if (!tid) return;
    const transfer = this.state.transfers.get(tid);
    if (
      !transfer ||
      transfer.grantId !== grant.id ||
      transfer.state !== 'STARTED' ||
      transfer.tokenId !== principal.claims.jti
    ) {
      throw forbidden(
        'TRANSFER.NOT_ACTIVE',
        transfer && transfer.grantId === grant.id && transfer.state !== 'STARTED'
          ? `The transfer this token was issued for is ${transfer.state}`
          : 'The transfer this token was issued for is not started, or a newer start replaced this token',
        'Use the token of the transfer’s latest start message',
      );
    }
  }

  /** Positions from `?after=` must exist on the topic: a partition it has, an offset it has written. */
  private async checkPositions(dataset: string, after: StreamStart): Promise<void> {
    if (after === 'start' || after.size === 0) return;
    let offsets: { partition: number; high: string }[];
    try {
      offsets = await this.topics.offsets(dataset);
    } catch (cause) {
      throw unavailable(
        'KAFKA.UNAVAILABLE',
        'The event bus is not reachable; the stream cannot start',
        'Retry in a few seconds',
        cause,
      );
    }
    const high = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
    for (const [partition, offset] of after) {
      const end = high.get(partition);
      if (end === undefined) {
        throw invalidPosition(
          `partition ${partition} does not exist; '${dataset}' has partitions 0 to ${high.size - 1}`,
        );
      }
      if (offset >= end) {
        throw invalidPosition(
          `offset ${offset} is beyond the end of partition ${partition} (its last offset is ${end - 1n})`,
        );
      }
    }
  }

  async stream(
    principal: Principal,
    grant: GrantView,
    out: ServerResponse,
    after: StreamStart = new Map(),
  ): Promise<void> {
    const subscription = new Subscription(this.delivery(), principal, grant, out, after);
    this.open.set(grant.id, subscription);
    void subscription.done.then(() => this.open.delete(grant.id));
    try {
      await subscription.start();
    } catch (error) {
      this.logger.error({ err: error, grant: grant.id }, 'stream failed to start');
      await subscription.end('STREAM.FAILED', 'The stream could not start; reconnect in a moment');
    }
  }

  /**
   * A bounded read of what is on the topic now (HttpData-PULL): from the grant's history start (or after
   * `?after=`) up to the positions the topic has at this moment, as NDJSON ending with SNAPSHOT.COMPLETE,
   * or SNAPSHOT.PARTIAL at its event or time limit. Every event is decided under the grant as on a stream.
   */
  async snapshot(
    principal: Principal,
    grant: GrantView,
    out: ServerResponse,
    after: StreamStart,
  ): Promise<void> {
    let bounds: SnapshotBounds;
    try {
      const offsets = await this.topics.offsets(grant.dataset);
      bounds = {
        until: new Map(offsets.map((o) => [o.partition, BigInt(o.high)])),
        limit: SNAPSHOT_MAX_EVENTS,
        maxMs: SNAPSHOT_MAX_MS,
      };
    } catch (cause) {
      throw unavailable(
        'KAFKA.UNAVAILABLE',
        'The event bus is not reachable; the snapshot cannot be read',
        'Retry in a few seconds',
        cause,
      );
    }
    const from: StreamStart = after === 'start' || after.size === 0 ? 'start' : after;
    const subscription = new Subscription(this.delivery(), principal, grant, out, from, bounds);
    this.snapshots.add(subscription);
    void subscription.done.then(() => this.snapshots.delete(subscription));
    try {
      await subscription.start();
    } catch (error) {
      this.logger.error({ err: error, grant: grant.id }, 'snapshot failed to start');
      await subscription.end('STREAM.FAILED', 'The snapshot could not start; read again in a moment');
    }
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled(
      [...this.open.values(), ...this.snapshots].map((s) =>
        s.end('SERVICE.STOPPING', 'The exchange is restarting; reconnect'),
      ),
    );
    // Every position delivered so far is stored, so streams resume there after the restart.
    await Promise.allSettled([this.positions.close(), this.hub.close()]);
  }

  /** `after=0:41,2:17`: per partition, the last offset the client has processed. */
  static parsePositions(after: string | undefined): StreamStart {
    const positions = new Map<number, bigint>();
    if (after === undefined || after === '') return positions;
    // Everything still on the topic, from its first offset: a consumer rebuilding its state replays it all.
    if (after === 'start') return 'start';
    if (!/^\d{1,4}:\d{1,19}(,\d{1,4}:\d{1,19})*$/.test(after)) {
      throw badRequest('STREAM.INVALID_POSITION', 'after must list partition:offset pairs', [
        {
          path: '/after',
          message: 'expected e.g. 0:41,2:17 (the position fields of the last events you processed)',
        },
      ]);
    }
    for (const pair of after.split(',')) {
      const [partition, offset] = pair.split(':');
      if (positions.has(Number(partition))) {
        throw invalidPosition(`partition ${Number(partition)} is listed more than once`);
      }
      positions.set(Number(partition), BigInt(offset!));
    }
    return positions;
  }
}
