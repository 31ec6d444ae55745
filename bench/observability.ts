/**
 * What the metrics and traces cost on the hot paths (ADR 0031), in process and without a broker: a produce
 * through an instrumented producer against the same producer bare, a consumed batch through the wrapped
 * handler against the bare handler, and a policy decision through observeDecision against a bare one.
 * Tracing off (the default) and on (spans kept in memory). Run: `npm run build && node dist/bench/observability.js`.
 */
import type { EachBatchPayload, Message, Producer } from 'kafkajs';
import { instrumentConsumer, instrumentProducer } from '@renkei/kafka';
import { inSpan, observeDecision, startTracing } from '@renkei/platform';

const round = (n: number) => Math.round(n * 10) / 10;

/** Nanoseconds per call of `work`, best of 5 runs of `n` calls (after a warm-up run). */
async function nsPerCall(n: number, work: () => unknown): Promise<number> {
  let best = Infinity;
  for (let run = 0; run < 6; run++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await work();
    const ns = Number(process.hrtime.bigint() - t0) / n;
    if (run > 0) best = Math.min(best, ns);
  }
  return best;
}

const bare = (): Pick<Producer, 'send' | 'sendBatch'> => ({
  send: () => Promise.resolve([]),
  sendBatch: () => Promise.resolve([]),
});
const messages = (): Message[] =>
  Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: 'x'.repeat(200) }));
const batchOf = (size: number) =>
  ({
    batch: {
      topic: 'renkei.data.bench',
      partition: 0,
      messages: Array.from({ length: size }, (_, i) => ({
        offset: String(i),
        timestamp: String(Date.now()),
        value: null,
      })),
    },
  }) as unknown as EachBatchPayload;

async function measure(label: string) {
  const rawProducer = bare();
  const producer = instrumentProducer(bare());
  const batch = () => ({ topicMessages: [{ topic: 'renkei.data.bench', messages: messages() }] });
  const produceBare = await nsPerCall(20_000, () => rawProducer.sendBatch(batch()));
  const produceInstrumented = await nsPerCall(20_000, () =>
    inSpan('request', () => producer.sendBatch(batch())),
  );
  let handled = 0;
  const handler = (p: EachBatchPayload) => {
    handled += p.batch.messages.length;
    return Promise.resolve();
  };
  const fake = {
    events: { END_BATCH_PROCESS: 'e', STOP: 's' },
    on: () => () => undefined,
    run: (c: { eachBatch: typeof handler }) => ((wrapped = c.eachBatch), Promise.resolve()),
  };
  let wrapped: typeof handler = handler;
  instrumentConsumer(fake as never, 'bench');
  await (fake as unknown as { run: (c: object) => Promise<void> }).run({ eachBatch: handler });
  const payload = batchOf(100);
  const consumeBare = (await nsPerCall(20_000, () => handler(payload))) / 100;
  const consumeWrapped = (await nsPerCall(20_000, () => wrapped(payload))) / 100;
  const decision = { allow: true, rule: 'ALLOW.DELIVER' };
  const decideBare = await nsPerCall(200_000, () => decision);
  const decideObserved = await nsPerCall(200_000, () => observeDecision('deliver', () => decision));
  void handled;
  console.log(
    JSON.stringify({
      tracing: label,
      produceOf10Messages: { bareNs: round(produceBare), instrumentedNs: round(produceInstrumented) },
      consumePerMessage: { bareNs: round(consumeBare), wrappedNs: round(consumeWrapped) },
      policyDecision: { bareNs: round(decideBare), observedNs: round(decideObserved) },
    }),
  );
}

await measure('off');
const stop = startTracing('bench', { TRACING: 'on' });
await measure('on (in-memory spans)');
await stop?.();
