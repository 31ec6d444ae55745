import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DeadlineExceeded } from '@renkei/platform';
import { anyBrokerAnswers, assertTopicLed, someBrokerListening, type BrokerAsker } from './kafka-probe.js';

/** A broker whose answers the test gives: each ask waits until answered, failed, or forever. */
function fakeBroker() {
  const pending: { answer: () => void; fail: (e: unknown) => void }[] = [];
  let asks = 0;
  let resets = 0;
  const asker: BrokerAsker = {
    ask: () => {
      asks++;
      return new Promise<void>((answer, fail) => pending.push({ answer, fail }));
    },
    reset: () => {
      resets++;
      return Promise.resolve();
    },
  };
  return {
    asker,
    pending,
    get asks() {
      return asks;
    },
    get resets() {
      return resets;
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

function cluster(n: number, deadlineMs = 40) {
  const brokers = Array.from({ length: n }, () => fakeBroker());
  const names = brokers.map((_, i) => `b${i + 1}:9092`);
  const { probe } = anyBrokerAnswers(names, (name) => brokers[names.indexOf(name)]!.asker, deadlineMs);
  return { brokers, probe };
}

describe('anyBrokerAnswers (the Kafka readiness probe)', () => {
  it('is up as soon as one broker answers, while another has not answered at all (stopped)', async () => {
    const { brokers, probe } = cluster(3);
    const result = probe();
    await tick();
    brokers[1]!.pending[0]!.answer();
    await expect(result).resolves.toBeUndefined();
  });

  it('does not ask a silent broker again while its earlier ask is pending: one request per broker', async () => {
    const { brokers, probe } = cluster(3);
    for (let i = 0; i < 4; i++) {
      const result = probe();
      await tick();
      brokers[2]!.pending.at(-1)!.answer();
      await result;
    }
    // Broker 1 never answered: asked once; broker 3 answered every time: asked every time.
    expect(brokers[0]!.asks).toBe(1);
    expect(brokers[2]!.asks).toBe(4);
  });

  it('is down at once, naming each broker, when every broker refuses; a refused broker gets a new client', async () => {
    const { brokers, probe } = cluster(2);
    const result = probe();
    await tick();
    brokers[0]!.pending[0]!.fail(new Error('connect ECONNREFUSED'));
    brokers[1]!.pending[0]!.fail(new Error('no leader for partition(s) 0'));
    await expect(result).rejects.toThrow(
      'no Kafka broker answered: b1:9092: connect ECONNREFUSED; b2:9092: no leader for partition(s) 0',
    );
    expect(brokers.map((b) => b.resets)).toEqual([1, 1]);
    // The next probe asks both again.
    void probe().catch(() => undefined);
    await tick();
    expect(brokers.map((b) => b.asks)).toEqual([2, 2]);
  });

  it('reports silence from every broker as a deadline (readiness allows a busy host a second chance)', async () => {
    const { probe } = cluster(3, 20);
    await expect(probe()).rejects.toBeInstanceOf(DeadlineExceeded);
  });

  it('a refusal and silence together are a failure, not a deadline', async () => {
    const { brokers, probe } = cluster(2, 20);
    const result = probe();
    await tick();
    brokers[0]!.pending[0]!.fail(new Error('connect ECONNREFUSED'));
    const error = await result.catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(DeadlineExceeded);
    expect((error as Error).message).toContain('b2:9092: Kafka broker b2:9092 did not answer within 20 ms');
  });
});

describe('assertTopicLed', () => {
  const partitions = (...leaders: number[]) =>
    leaders.map((leader, partitionId) => ({ partitionId, leader }));

  it('accepts a topic whose every partition has a leader', () => {
    expect(() => assertTopicLed('t', [{ name: 't', partitions: partitions(1, 2, 3) }])).not.toThrow();
  });

  it('refuses a topic with a leaderless partition, naming it', () => {
    expect(() => assertTopicLed('t', [{ name: 't', partitions: partitions(1, -1, 3) }])).toThrow(
      'topic t: no leader for partition(s) 1',
    );
  });

  it('refuses a topic the broker does not know', () => {
    expect(() => assertTopicLed('t', [{ name: 'u', partitions: partitions(1) }])).toThrow(
      'topic t is not known to the broker',
    );
  });
});

describe('someBrokerListening: a killed broker is down at once', () => {
  /** A port nothing listens on (bound, then closed). */
  async function closedPort(): Promise<number> {
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  it('rejects, well within its deadline, when every broker refuses the connection', async () => {
    const brokers = [`127.0.0.1:${await closedPort()}`, `127.0.0.1:${await closedPort()}`];
    const started = Date.now();
    await expect(someBrokerListening(brokers, 5_000)).rejects.toThrow(/no Kafka broker is listening/);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('resolves when one broker accepts connections, even if the others refuse', async () => {
    const server = createServer((socket) => socket.destroy()).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await expect(
        someBrokerListening([`127.0.0.1:${await closedPort()}`, `127.0.0.1:${port}`], 5_000),
      ).resolves.toBeUndefined();
    } finally {
      server.close();
    }
  });
});
