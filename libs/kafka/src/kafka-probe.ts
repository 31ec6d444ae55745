import { connect as netConnect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Admin, ISocketFactory, Kafka } from 'kafkajs';
import { DeadlineExceeded, withDeadline } from '@renkei/platform';

/**
 * A probe's deadline. Every broker is asked at once, each with its own shorter deadline
 * (`KAFKA_PROBE_BROKER_DEADLINE_MS`), so one broker that does not answer (stopped, partitioned away)
 * never holds the probe: the others' answers decide it.
 */
export const KAFKA_PROBE_TIMEOUT_MS = 1_000;
/** Slow answers in a row before Kafka counts as down (a refusal counts at once). */
export const KAFKA_PROBE_TIMEOUTS_BEFORE_DOWN = 2;
/** How long one broker's answer is awaited within a probe: under the probe's deadline. */
export const KAFKA_PROBE_BROKER_DEADLINE_MS = 800;

/**
 * What the probe last learnt of each bootstrap broker. New kafkajs clients (a renewed producer, a
 * replaced admin) take their first connection from the first broker of the bootstrap list, so the list is
 * handed to them in this order: brokers that answered the last probe first, then those not asked yet,
 * then those that failed or are still silent. A stopped broker is then not where a new client starts.
 */
export class BrokerHealth {
  private readonly state = new Map<string, 'answered' | 'failed'>();

  answered(broker: string): void {
    this.state.set(broker, 'answered');
  }

  failed(broker: string): void {
    this.state.set(broker, 'failed');
  }

  /** `brokers`, those that answered first; the order among equals is kept. */
  order(brokers: string[]): string[] {
    const rank = (b: string) => {
      const state = this.state.get(b);
      return state === 'answered' ? 0 : state === 'failed' ? 2 : 1;
    };
    return [...brokers].sort((a, b) => rank(a) - rank(b));
  }
}

/** Asks one broker something; `reset` drops its client after a failure, so the next ask starts afresh. */
export interface BrokerAsker {
  ask(): Promise<void>;
  reset(): Promise<void>;
}

/**
 * Resolves as soon as one broker answers; rejects when every one failed or missed its deadline, naming
 * each broker's reason. A broker that has not answered an earlier ask yet is not asked again (its
 * pending ask is awaited instead), so a stopped broker holds at most one request per probe client,
 * however often the probe runs; a broker whose ask failed gets a fresh client next time.
 */
export function anyBrokerAnswers(
  brokers: string[],
  askerFor: (broker: string) => BrokerAsker,
  brokerDeadlineMs = KAFKA_PROBE_BROKER_DEADLINE_MS,
  health = new BrokerHealth(),
): { probe: () => Promise<void>; stop: () => Promise<void> } {
  const slots = brokers.map((broker) => ({
    broker,
    asker: askerFor(broker),
    pending: undefined as Promise<void> | undefined,
  }));
  const askOne = (slot: (typeof slots)[number]): Promise<void> => {
    slot.pending ??= slot.asker.ask().then(
      () => {
        slot.pending = undefined;
      },
      (error: unknown) => {
        slot.pending = undefined;
        void slot.asker.reset();
        throw error;
      },
    );
    return withDeadline(slot.pending, brokerDeadlineMs, `Kafka broker ${slot.broker}`).then(
      () => health.answered(slot.broker),
      (error: unknown) => {
        health.failed(slot.broker);
        throw error;
      },
    );
  };
  return {
    probe: () =>
      Promise.any(slots.map(askOne)).then(
        () => undefined,
        (error: AggregateError) => {
          const errors = error.errors as unknown[];
          // Only silence (no refusal): a busy host, perhaps; readiness gives slow answers a second chance.
          if (errors.every((e) => e instanceof DeadlineExceeded)) {
            throw new DeadlineExceeded('every Kafka broker', brokerDeadlineMs);
          }
          const why = errors.map(
            (e, i) => `${slots[i]!.broker}: ${e instanceof Error ? e.message : String(e)}`,
          );
          throw new Error(`no Kafka broker answered: ${why.join('; ')}`);
        },
      ),
    stop: async () => {
      await Promise.all(slots.map((s) => s.asker.reset()));
    },
  };
}

/**
 * A socket factory that connects to `broker` whatever address kafkajs asks for. A client made with it
 * talks to that one broker only: kafkajs sends a metadata request to any broker of the cluster it has
 * learnt of (a stopped one included), and this keeps each probe client's answer that broker's own.
 */
export function pinnedSocketFactory(broker: string): ISocketFactory {
  const at = broker.lastIndexOf(':');
  const host = broker.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(broker.slice(at + 1));
  return ({ ssl, onConnect }) => {
    const socket = ssl
      ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
      : netConnect({ host, port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    return socket;
  };
}

/** Every partition of `topic`, in one broker's metadata, has a leader: a write to it can be taken. */
export function assertTopicLed(
  topic: string,
  topics: { name: string; partitions: { partitionId: number; leader: number }[] }[],
): void {
  const found = topics.find((t) => t.name === topic);
  if (!found || found.partitions.length === 0) throw new Error(`topic ${topic} is not known to the broker`);
  const leaderless = found.partitions.filter((p) => p.leader < 0).map((p) => p.partitionId);
  if (leaderless.length > 0) {
    throw new Error(`topic ${topic}: no leader for partition(s) ${leaderless.join(', ')}`);
  }
}

/**
 * A readiness probe for Kafka (ADR 0033): every bootstrap broker is asked, through a client of its own
 * that reaches that broker only, for the metadata of `topic` (a real round trip), and Kafka is up as soon
 * as one broker answers that every partition of the topic has a leader. One stopped or partitioned broker
 * does not hold the probe (its answer is simply not waited for) and does not make Kafka "down" while the
 * rest of the cluster serves; every broker refusing or silent does. Whether a topic has enough in-sync
 * replicas for acks=all is left to the produce request that needs them (a 503 for that request only).
 */
export function kafkaProbe(
  clientFor: (broker: string) => Kafka,
  brokers: string[],
  topic: () => string,
  health?: BrokerHealth,
): { probe: () => Promise<void>; stop: () => Promise<void> } {
  const answers = anyBrokerAnswers(
    brokers,
    (broker) => {
      let admin: Admin | undefined;
      let connected: Promise<void> | undefined;
      return {
        ask: async () => {
          // No retries: a refused connection is an answer (the broker is away), reported at once.
          const a = (admin ??= clientFor(broker).admin({ retry: { retries: 0 } }));
          await (connected ??= a.connect());
          const t = topic();
          const { topics } = await a.fetchTopicMetadata({ topics: [t] });
          assertTopicLed(t, topics);
        },
        reset: async () => {
          const a = admin;
          admin = undefined;
          connected = undefined;
          await a?.disconnect().catch(() => undefined);
        },
      };
    },
    KAFKA_PROBE_BROKER_DEADLINE_MS,
    health,
  );
  return {
    // A dead broker refuses connections at once: when every one does, Kafka is down now, without waiting
    // for the clients' deadlines (an in-flight request of a probe client may hold its slot until then).
    probe: () => someBrokerListening(brokers, KAFKA_PROBE_BROKER_DEADLINE_MS).then(() => answers.probe()),
    stop: answers.stop,
  };
}

/**
 * Rejects at once when every broker refuses a TCP connection (nothing listens: the broker process is gone);
 * resolves as soon as one accepts, or when one stays silent past `timeoutMs` (a stopped or partitioned host
 * is for the real probe to judge, with its leniency for slow answers).
 */
export function someBrokerListening(brokers: string[], timeoutMs: number): Promise<void> {
  const attempts = brokers.map(
    (broker) =>
      new Promise<void>((resolve, reject) => {
        const at = broker.lastIndexOf(':');
        const socket = netConnect(Number(broker.slice(at + 1)), broker.slice(0, at).replace(/^\[|\]$/g, ''));
        socket.setTimeout(timeoutMs, () => {
          socket.destroy();
          resolve();
        });
        socket.once('connect', () => {
          socket.destroy();
          resolve();
        });
        socket.once('error', (error) => {
          socket.destroy();
          reject(new Error(`${broker}: ${error.message}`));
        });
      }),
  );
  return Promise.any(attempts).catch((error: AggregateError) => {
    throw new Error(
      `no Kafka broker is listening: ${(error.errors as Error[]).map((e) => e.message).join('; ')}`,
    );
  });
}
