import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaConnectionFromEnv } from '@renkei/kafka';

/**
 * Reads a topic from the beginning with an independent consumer until `done` holds for what was read:
 * what the platform says it wrote is checked on the broker itself.
 */
export async function readTopicUntil<T>(
  topic: string,
  done: (values: T[]) => boolean,
  timeoutMs = 20_000,
): Promise<T[]> {
  const kafka = new Kafka({
    brokers: process.env.KAFKA_BROKERS!.split(','),
    clientId: 'e2e-check',
    logLevel: logLevel.NOTHING,
    ...kafkaConnectionFromEnv(),
  });
  const consumer = kafka.consumer({ groupId: `e2e-check-${randomUUID()}` });
  await consumer.connect();
  const values: T[] = [];
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${topic}: condition not met after ${values.length} messages`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: ({ message }) => {
          if (message.value) values.push(JSON.parse(message.value.toString()) as T);
          if (done(values)) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return values;
}
