/**
 * Replicated Kafka (issue 15, ADR 0032): the platform on a 3-node KRaft cluster (scripts/kafka-cluster.sh,
 * RF 3, min.insync.replicas=2, unclean leader election off) while members publish through the real
 * exchange at a steady rate. A data topic's partition leader is SIGKILLed and restarted; then one node is
 * SIGSTOPped (a partition) for 60 s and, for a moment, a second one: publishing goes on with two
 * replicas in sync (the exchange stays ready, clients see only 202 or 503 with Retry-After) and comes back
 * after SIGCONT without restarting anything (ADR 0033). Every acknowledged event reaches the subscriber
 * exactly once, by event id; nothing is acknowledged while only one replica could hold it.
 * Rate: see RATE (the issue's 2,000 events/s is more than this 2-core machine sustains).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient } from '@renkei/sdk';
import { participantKey as key, publicJwk as pub } from '../support/test-platform.js';
import { automaker, batteryCfpContract, cellMaker } from '../fixtures/battery-cfp.js';
import {
  PersistentSubscriber,
  Recorder,
  acknowledged,
  lossAndDuplicates,
  report,
  retrying,
  sleep,
  startFaultPlatform,
  until,
} from '../support/faults.js';
import { kafkaCluster, replicatedTopicEnv } from '../support/kafka-cluster.js';
import { loadavg } from 'node:os';

/**
 * The publish rate aimed at. The issue asks for 2,000 events/s; this 2-core machine sustains about
 * 400-700 events/s through the exchange (HTTP, schema, policy, acks=all to three replicas, a streaming
 * subscriber, all on the same cores), so the test aims at what it can offer and reports the rate it
 * sustained (RELIABILITY_RATE=2000 asks for the issue's figure on a bigger machine).
 */
const RATE = Number(process.env.RELIABILITY_RATE ?? 600);
/** Events per publish request. */
const BATCH = 50;
const WORKERS = 4;
/** The issue's partition: one broker stopped for 60 s (RELIABILITY_BROKER_PAUSE_S shortens it). */
const PAUSE_MS = Number(process.env.RELIABILITY_BROKER_PAUSE_S ?? 60) * 1000;
/**
 * How long a SIGKILLed leader stays down: well past the controller's broker session timeout (9 s) and a
 * client's Retry-After (5 s), so publishing is seen going on on the new leader while the old one is away.
 */
const DOWN_MS = 30_000;
/**
 * A client that retries after each 503's Retry-After (5 s) gets through within this many retries: the
 * controller fences a crashed broker after its 9 s session timeout, then elects new leaders.
 */
const MAX_CLIENT_RETRIES = 5;
/** The platform's services on the cluster: ports 5100-5104 (this suite's range). */
const BASE_PORT = Number(process.env.RELIABILITY_CLUSTER_BASE_PORT ?? 5100);

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/**
 * Opt-in (RELIABILITY_CLUSTER=1, `npm run test:reliability:cluster`): three more JVMs and about five
 * minutes, so it is not in the vitest run; scripts/test-all.sh runs it as its own step after vitest,
 * bounded by `timeout`. See docs/operations.md, "Replicated Kafka".
 */
describe.runIf(process.env.RELIABILITY_CLUSTER === '1')(
  'replicated Kafka: a leader killed, a broker partitioned away',
  () => {
    let env: Awaited<ReturnType<typeof startFaultPlatform>>;
    let auto: RenkeiClient;
    let grantId: string;
    let publishToken: string;
    let dataTopic: string;
    const rec = new Recorder();

    beforeAll(async () => {
      const started = Date.now();
      kafkaCluster.start();
      report(`3-node cluster up in ${Date.now() - started} ms (load average ${load()})`);
      env = await startFaultPlatform('reliability-cluster', BASE_PORT, {
        brokers: kafkaCluster.brokers,
        env: replicatedTopicEnv,
      });
      dataTopic = `${env.topicPrefix}.data.battery.cfp`;
      const [kc, ka] = [await key('c'), await key('a')];
      const c = await retrying(() => env.admin.onboard({ ...cellMaker, jwks: { keys: [pub(kc)] } }));
      const a = await retrying(() => env.admin.onboard({ ...automaker, jwks: { keys: [pub(ka)] } }));
      const cell = new RenkeiClient(env.platform.endpoints, { clientId: c.id, privateJwk: kc });
      auto = new RenkeiClient(env.platform.endpoints, { clientId: a.id, privateJwk: ka });
      await retrying(() => cell.registerContract(batteryCfpContract));
      grantId = (
        await retrying(() => auto.requestGrant({ dataset: 'battery.cfp', purpose: 'cfp-disclosure' }))
      ).id;
      await retrying(() => cell.approveGrant(grantId));
      publishToken = await retrying(() => cell.datasetToken('battery.cfp', 'publish'));
      report(`platform on the cluster ready in ${Date.now() - started} ms`);
    }, 420_000);

    afterAll(async () => {
      await env?.stop();
      kafkaCluster.stop();
    }, 180_000);

    /**
     * WORKERS publishers, each paced to its share of RATE (a late one sends at once), fresh event ids on
     * every attempt (a 503 acknowledges nothing), waiting a 503's Retry-After as a careful client does.
     * Tracks the longest run of failed attempts per worker, and how long it lasted.
     */
    function publishers(what: string) {
      let running = true;
      let maxFailedRun = 0;
      let longestGapMs = 0;
      const startedAt = Date.now();
      const intervalMs = (BATCH * WORKERS * 1000) / RATE;
      const loops = Array.from({ length: WORKERS }, async (_, w) => {
        let failedRun = 0;
        let failingSince = 0;
        for (let n = 0; running; n++) {
          const due = startedAt + n * intervalMs + (w * intervalMs) / WORKERS;
          if (due > Date.now()) await sleep(due - Date.now());
          const events = Array.from({ length: BATCH }, (_, i) => ({
            id: randomUUID(),
            subject: `lot-${w}-${n}-${i}`,
            payload: { lotId: `lot-${w}-${n}-${i}`, cellModel: 'X', cfpKgCo2ePerKwh: 50 + (i % 10) },
          }));
          const answer = await rec.call(what, (signal) =>
            fetch(`${env.platform.endpoints.exchange}/datasets/battery.cfp/events`, {
              method: 'POST',
              headers: { authorization: `Bearer ${publishToken}`, 'content-type': 'application/json' },
              body: JSON.stringify({ events }),
              signal,
            }),
          );
          if (answer.status === 202) {
            if (failedRun > 0) longestGapMs = Math.max(longestGapMs, answer.endedAt - failingSince);
            failedRun = 0;
          } else {
            if (failedRun === 0) failingSince = answer.startedAt;
            maxFailedRun = Math.max(maxFailedRun, ++failedRun);
            // Retry-After is in seconds; bounded so the run stays short if a service sent a long one.
            await sleep(Math.min(Number(answer.retryAfter ?? 1), 10) * 1000);
            n = Math.max(n, Math.floor((Date.now() - startedAt) / intervalMs));
          }
        }
      });
      return {
        stop: async () => {
          running = false;
          await Promise.all(loops);
          const seconds = (Date.now() - startedAt) / 1000;
          const acked = acknowledged(rec.of(what)).length;
          return { seconds, acked, rate: Math.round(acked / seconds), maxFailedRun, longestGapMs };
        },
      };
    }

    function ackedBetween(what: string, from: number, to: number): number {
      return rec
        .of(what)
        .filter((a) => a.status === 202 && a.startedAt >= from && a.endedAt <= to)
        .reduce((n, a) => n + ((a.body as { eventIds?: string[] }).eventIds?.length ?? 0), 0);
    }

    /** The longest stretch within [from, to] in which no publication was acknowledged (by answer time). */
    function longestWithoutAck(what: string, from: number, to: number): number {
      const acks = rec
        .of(what)
        .filter((a) => a.status === 202 && a.endedAt >= from && a.endedAt <= to)
        .map((a) => a.endedAt)
        .sort((a, b) => a - b);
      let longest = 0;
      let last = from;
      for (const at of [...acks, to]) {
        longest = Math.max(longest, at - last);
        last = at;
      }
      return longest;
    }

    /** The exchange's /health/ready: ready or not, and its 'kafka' component's state. */
    async function exchangeReadiness(): Promise<{ ready: boolean; kafka: string }> {
      try {
        const res = await fetch(`${env.platform.endpoints.exchange}/health/ready`, {
          signal: AbortSignal.timeout(3_000),
        });
        const body = (await res.json()) as { checks?: Record<string, string> };
        return { ready: res.status === 200, kafka: body.checks?.kafka ?? 'unknown' };
      } catch {
        return { ready: false, kafka: 'no answer' };
      }
    }

    async function expectExactlyOnce(subscriber: PersistentSubscriber, what: string): Promise<void> {
      const acked = acknowledged(rec.of(what));
      const drainStarted = Date.now();
      await subscriber.drainUntil(acked, Number(process.env.RELIABILITY_DRAIN_MS ?? 180_000));
      const { lost, duplicated } = lossAndDuplicates(acked, subscriber.received);
      report(
        `${what}: ${acked.length} acknowledged, ${subscriber.received.length} received, ${lost.length} lost, ${duplicated.length} duplicated (drained in ${Date.now() - drainStarted} ms)`,
      );
      if (subscriber.ends.length > 0 || subscriber.errors.size > 0) {
        report(
          `${what}: the subscriber's streams ended ${JSON.stringify(subscriber.ends)}; errors ${JSON.stringify([...subscriber.errors])}`,
        );
      }
      expect(acked.length).toBeGreaterThan(0);
      expect(lost).toEqual([]);
      expect(duplicated).toEqual([]);
    }

    async function allInSync(timeoutMs: number): Promise<number> {
      return until(
        'every partition of the data topic with three in-sync replicas',
        async () => (await kafkaCluster.partitions(dataTopic)).every((p) => p.isr.length === 3),
        timeoutMs,
      );
    }

    it('creates the data topic replicated: RF 3, min.insync.replicas 2, no unclean election, kept forever', async () => {
      await rec.call('publish:settings', (signal) =>
        fetch(`${env.platform.endpoints.exchange}/datasets/battery.cfp/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${publishToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            events: [
              {
                id: randomUUID(),
                subject: 'lot-0',
                payload: { lotId: 'lot-0', cellModel: 'X', cfpKgCo2ePerKwh: 1 },
              },
            ],
          }),
          signal,
        }),
      );
      const topic = await kafkaCluster.describe(dataTopic, [
        'min.insync.replicas',
        'unclean.leader.election.enable',
        'retention.ms',
      ]);
      expect(topic).toEqual({
        replicas: 3,
        config: {
          'min.insync.replicas': '2',
          'unclean.leader.election.enable': 'false',
          'retention.ms': '-1',
        },
      });
      await allInSync(60_000);
    });

    it('delivers every acknowledged event exactly once when a partition leader is SIGKILLed and restarted', async () => {
      const what = 'publish:leader-kill';
      const subscriber = new PersistentSubscriber(auto, 'battery.cfp', grantId);
      const pub = publishers(what);
      const publishingFrom = Date.now();
      await sleep(8_000);
      const before = await kafkaCluster.partitions(dataTopic);
      const victim = before.find((p) => p.partition === 0)!.leader;
      const killedAt = Date.now();
      const steadyRate = Math.round(
        (ackedBetween(what, publishingFrom, killedAt) * 1000) / (killedAt - publishingFrom),
      );
      await kafkaCluster.kill(victim);
      report(
        `leader kill: node ${victim} (leader of partition 0 of ${before.length}) SIGKILLed; load average ${load()}`,
      );
      // While it is down, partition 0 gets a new leader and publishing goes on there.
      const failover = await until(
        'a new leader for partition 0',
        async () => {
          const p0 = (await kafkaCluster.partitions(dataTopic, [victim])).find((p) => p.partition === 0);
          return p0 !== undefined && p0.leader !== victim && p0.leader >= 0;
        },
        DOWN_MS + 30_000,
      );
      await sleep(Math.max(0, DOWN_MS - (Date.now() - killedAt)));
      const restartAt = Date.now();
      const ackedWhileDown = ackedBetween(what, killedAt, restartAt);
      await kafkaCluster.restart(victim);
      const restartedIn = Date.now() - restartAt;
      const resyncIn = await allInSync(120_000);
      await sleep(5_000);
      const result = await pub.stop();
      report(
        `leader kill: new leader for partition 0 within ${failover} ms; ${ackedWhileDown} events acknowledged while node ${victim} was down (${DOWN_MS} ms); restarted in ${restartedIn} ms, all in sync ${resyncIn} ms later`,
      );
      report(
        `leader kill: aimed at ${RATE} events/s, sustained ${steadyRate} events/s before the kill and ${result.rate} events/s over ${result.seconds.toFixed(0)} s (${BATCH} per request, ${WORKERS} publishers); longest run of failed attempts ${result.maxFailedRun} (${result.longestGapMs} ms from the first failure to the next 202); load average ${load()}`,
      );
      report(rec.summary(what));
      expect(ackedWhileDown).toBeGreaterThan(0);
      expect(result.maxFailedRun).toBeLessThanOrEqual(MAX_CLIENT_RETRIES);
      // Nothing but 202 or 503 (with Retry-After) reached the publishers.
      expect(
        rec.of(what).filter((a) => a.status !== 202 && !(a.status === 503 && a.retryAfter !== null)),
      ).toEqual([]);
      await expectExactlyOnce(subscriber, what);
    }, 600_000);

    it('holds min.insync.replicas, keeps publishing and delivers exactly once while a broker is SIGSTOPped', async () => {
      const what = 'publish:partition';
      const subscriber = new PersistentSubscriber(auto, 'battery.cfp', grantId);
      const pub = publishers(what);
      await sleep(5_000);
      const victim = (await kafkaCluster.partitions(dataTopic)).find((p) => p.partition === 0)!.leader;
      const second = [1, 2, 3].find((n) => n !== victim)!;
      const pausedAt = Date.now();
      kafkaCluster.pause(victim);
      report(`partition: node ${victim} SIGSTOPped for ${PAUSE_MS} ms; load average ${load()}`);
      let minIsr = 3;
      let shrunkAt: number | undefined;
      // The exchange's readiness, once a second: a stopped broker must not take it out of service.
      const readiness = { samples: 0, notReady: 0, kafkaDown: 0 };
      while (Date.now() - pausedAt < PAUSE_MS) {
        const [partitions, ready] = await Promise.all([
          kafkaCluster.partitions(dataTopic, [victim]).catch(() => []),
          exchangeReadiness(),
        ]);
        readiness.samples++;
        if (!ready.ready) readiness.notReady++;
        if (ready.kafka !== 'up') readiness.kafkaDown++;
        if (partitions.length > 0) {
          const smallest = Math.min(...partitions.map((p) => p.isr.length));
          minIsr = Math.min(minIsr, smallest);
          if (smallest < 3 && shrunkAt === undefined) shrunkAt = Date.now();
        }
        await sleep(1_000);
      }
      const pauseEnd = Date.now();
      const ackedWithTwo = shrunkAt ? ackedBetween(what, shrunkAt, pauseEnd) : 0;
      // From the moment the ISR shrank to the end of the pause: how long publishing stood still at most.
      const stall = shrunkAt ? longestWithoutAck(what, shrunkAt, pauseEnd) : PAUSE_MS;
      // Then a second node for a moment: one replica left, below min.insync.replicas; nothing may be acked.
      const secondAt = Date.now();
      kafkaCluster.pause(second);
      await sleep(10_000);
      const secondEnd = Date.now();
      const ackedWithOne = ackedBetween(what, secondAt + 1_000, secondEnd);
      kafkaCluster.resume(second);
      kafkaCluster.resume(victim);
      const resumedAt = Date.now();
      report(
        `partition: ISR shrank ${shrunkAt ? shrunkAt - pausedAt : 'never'} ms after SIGSTOP (smallest ISR ${minIsr}); ${ackedWithTwo} events acknowledged with two in-sync replicas (${shrunkAt ? Math.round((ackedWithTwo * 1000) / (pauseEnd - shrunkAt)) : 0} events/s), longest stretch without a 202 in that time ${stall} ms; ${ackedWithOne} acknowledged with one (nodes ${victim} and ${second} stopped for 10 s)`,
      );
      report(
        `partition: exchange readiness sampled ${readiness.samples} times while node ${victim} was stopped: not ready ${readiness.notReady}, kafka component not up ${readiness.kafkaDown}`,
      );
      report(rec.summary(what));
      const resyncIn = await allInSync(120_000);
      // Recovery without restarting anything: a 202 again, and the exchange ready again.
      await until(
        'a publication acknowledged after SIGCONT',
        () => Promise.resolve(rec.firstSuccessAfter(what, resumedAt) !== undefined),
        60_000,
      ).catch(() => undefined);
      const healed = rec.firstSuccessAfter(what, resumedAt);
      const readyAgain = await until(
        'the exchange ready after SIGCONT',
        async () => (await exchangeReadiness()).ready,
        60_000,
      ).catch(() => -1);
      report(
        `partition: all in sync ${resyncIn} ms after SIGCONT; first 202 ${healed ? `${healed.endedAt - resumedAt} ms` : 'never'} after it; exchange ready ${readyAgain} ms after the resync`,
      );
      await sleep(5_000);
      const result = await pub.stop();
      report(
        `partition: aimed at ${RATE} events/s, sustained ${result.rate} events/s over ${result.seconds.toFixed(0)} s (outages included); longest run of failed attempts ${result.maxFailedRun} (${result.longestGapMs} ms from the first failure to the next 202); load average ${load()}`,
      );
      // min.insync.replicas holds: the ISR went to two (the stopped node left it) and no further, and
      // nothing was acknowledged while only one replica could hold it.
      expect(minIsr).toBe(2);
      expect(ackedWithOne).toBe(0);
      // Publishing goes on with two replicas in sync, and a stopped broker never takes the exchange's
      // Kafka readiness down.
      expect(ackedWithTwo).toBeGreaterThan(0);
      expect(readiness.kafkaDown).toBe(0);
      // Bounded client-visible errors: nothing but 202 or 503 with Retry-After (no hangs: a 10 s cut is -1).
      expect(
        rec.of(what).filter((a) => a.status !== 202 && !(a.status === 503 && a.retryAfter !== null)),
      ).toEqual([]);
      // Recovery after SIGCONT, no service restarted.
      expect(healed).toBeDefined();
      expect(readyAgain).toBeGreaterThanOrEqual(0);
      await expectExactlyOnce(subscriber, what);
    }, 600_000);
  },
);
