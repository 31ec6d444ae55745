/**
 * An acknowledged send is on Kafka, even right after a send whose answer was lost (the broker appended it
 * and then died). kafkajs winds its idempotent sequence numbers back after any failed request; the next
 * batch of the same size then carries the appended batch's numbers and Kafka acknowledges it, with the
 * appended batch's offset, as a duplicate without writing it. This is how the reliability test lost five
 * acknowledged events when the broker was SIGKILLed (issue 10). Real Kafka; the lost answer is made by
 * dropping the connection when the produce response arrives.
 */
import { randomBytes } from 'node:crypto';
import { connect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { pino } from 'pino';
import { Kafka, logLevel, type ISocketFactory, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTopics, renewingProducer, kafkaConnectionFromEnv } from '@renkei/kafka';

const logger = pino({ level: 'silent' });
const PRODUCE = 0;

describe('renewingProducer on real Kafka', () => {
  /** Produce requests still to lose the answer of: the broker appends them, the client never hears. */
  let answersToLose = 0;
  const socketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
    // As kafkajs's own factory: TLS when the client is configured for it (a SASL_SSL broker).
    const socket: Socket = ssl
      ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
      : connect({ host, port }, onConnect);
    const write = socket.write.bind(socket) as (...a: unknown[]) => boolean;
    const emit = socket.emit.bind(socket) as (event: string | symbol, ...a: unknown[]) => boolean;
    let losing = false;
    socket.write = (...args: unknown[]) => {
      const request = args[0];
      if (answersToLose > 0 && Buffer.isBuffer(request) && request.length > 6) {
        if (request.readInt16BE(4) === PRODUCE) {
          answersToLose--;
          losing = true;
        }
      }
      return write(...args);
    };
    socket.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event === 'data' && losing) {
        socket.destroy(new Error('connection lost after the request was sent'));
        return true;
      }
      return emit(event, ...args);
    }) as Socket['emit'];
    return socket;
  };
  const kafka = new Kafka({
    clientId: 'it-renewing',
    brokers: process.env.KAFKA_BROKERS!.split(','),
    socketFactory,
    logLevel: logLevel.NOTHING,
    ...kafkaConnectionFromEnv(),
  });
  // kafkajs requires retries for an idempotent producer; both attempts lose their answer below.
  const bare = () =>
    kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 1, initialRetryTime: 50 } });
  const topics: string[] = [];

  beforeAll(async () => {
    for (const name of ['plain', 'renewing']) topics.push(`it-${randomBytes(4).toString('hex')}.${name}`);
    await ensureTopics(
      kafka,
      topics.map((topic) => ({ topic, numPartitions: 1 })),
    );
  });
  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });

  /** Sends W, then A (answer lost), then B: what B's acknowledgement claims, and what the topic holds. */
  async function scenario(producer: Producer, topic: string) {
    await producer.connect();
    const send = (tag: string) =>
      producer.send({ topic, acks: -1, messages: [0, 1, 2].map((i) => ({ value: `${tag}-${i}` })) });
    await send('W');
    answersToLose = 2;
    await expect(send('A')).rejects.toThrow();
    const [b] = await send('B');
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: `${topic}.check` });
    const onTopic = new Map<string, string>();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const admin = kafka.admin();
    await admin.connect();
    const end = BigInt((await admin.fetchTopicOffsets(topic))[0]!.high);
    await admin.disconnect();
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: ({ message }) => {
          onTopic.set(message.offset, message.value?.toString('utf8') ?? '');
          if (BigInt(message.offset) + 1n >= end) resolve();
          return Promise.resolve();
        },
      });
    });
    await consumer.disconnect();
    return { bAt: b!.baseOffset!, onTopic };
  }

  it('shows the fault: a bare kafkajs producer acknowledges B at A’s offset and B is not on the topic', async () => {
    const { bAt, onTopic } = await scenario(bare(), topics[0]!);
    expect(onTopic.get(bAt)).toBe('A-0');
    expect([...onTopic.values()].filter((v) => v.startsWith('B-'))).toEqual([]);
  });

  it('writes every acknowledged batch: B lands where its acknowledgement says', async () => {
    const producer = renewingProducer(bare, logger, 5_000);
    const { bAt, onTopic } = await scenario(producer, topics[1]!);
    expect(onTopic.get(bAt)).toBe('B-0');
    expect([...onTopic.values()].filter((v) => v.startsWith('B-'))).toEqual(['B-0', 'B-1', 'B-2']);
  });
});
