/**
 * Benchmarks for the foundation's data path, on real Kafka and PostgreSQL with the four services running
 * as processes (the same launcher the e2e tests use). Results go to docs/bench/<date>.json and a Markdown
 * table on stdout. Run with `npm run bench` (it starts the infrastructure and builds first).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { Kafka, logLevel } from 'kafkajs';
import type { GrantView } from '@renkei/domain';
import { kafkaConnectionFromEnv } from '@renkei/kafka';
import { buildPolicyInput, PolicyEngine, readPolicyBundle } from '@renkei/policy';
import { RenkeiClient, type DeliveryStream } from '@renkei/sdk';
import { freshDatabase } from '../test/support/database.js';
import { generateSecrets, startPlatform } from '../test/support/platform.js';
import { automaker, batteryCfpContract, cellMaker } from '../test/fixtures/battery-cfp.js';
import { batteryProjection } from './projection.js';
import { writeReport } from './report.js';
import { round, summarise } from './stats.js';

const root = new URL('../..', import.meta.url).pathname;
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const quick = process.argv.includes('--quick');
const results: Record<string, unknown> = {};
const log = (s: string) => console.error(`[bench] ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const payload = (i: number) => ({
  lotId: `lot-${i}`,
  cellModel: 'KCW-NMC811-50Ah',
  cfpKgCo2ePerKwh: 60 + (i % 10) / 10,
  unitPriceJpy: 9800,
});

async function key(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'ES256' };
}
const pub = ({ d: _d, ...p }: JWK) => p;

/** In-process decisions through the compiled wasm, as the exchange makes them for each delivery batch. */
async function policyBench() {
  const policy = await PolicyEngine.load(await readPolicyBundle(`${root}/policies/build`));
  const state = batteryProjection([
    ['cell', 'battery-cells'],
    ['auto', 'automotive'],
  ]);
  const grant: GrantView = {
    id: 'g',
    state: 'granted',
    originator: 'cell',
    consumer: 'auto',
    dataset: 'battery.cfp',
    purpose: 'cfp-disclosure',
    fields: null,
    validFrom: '2026-01-01T00:00:00Z',
    validUntil: null,
    changedAt: '2026-01-01T00:00:00Z',
  };
  const input = buildPolicyInput(state, {
    action: 'deliver',
    subjectId: 'auto',
    dataset: 'battery.cfp',
    grant,
    delivery: { publishedFrom: Date.now() },
    now: new Date(),
  });
  const n = quick ? 20_000 : 200_000;
  for (let i = 0; i < 5_000; i++) policy.decide(input); // warm-up
  const samples = new Float64Array(n);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const s = process.hrtime.bigint();
    policy.decide(input);
    samples[i] = Number(process.hrtime.bigint() - s) / 1e3; // µs
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const stats = summarise(Array.from(samples));
  results.policy = {
    decisionsPerSecond: Math.round(n / seconds),
    p50us: round(stats.p50),
    p99us: round(stats.p99),
    n,
  };
  log(`policy: ${Math.round(n / seconds)} decisions/s, p99 ${round(stats.p99)} µs`);
}

/** Raw kafkajs to the same broker: the ceiling the governed path is compared with. */
async function rawKafka(topic: string, total: number, batch: number, concurrency: number) {
  const kafka = new Kafka({
    brokers,
    clientId: 'bench-raw',
    logLevel: logLevel.NOTHING,
    ...kafkaConnectionFromEnv(),
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
  await producer.connect();
  const envelope = (i: number) =>
    JSON.stringify({
      id: randomUUID(),
      type: 'battery.cfp',
      schemaVersion: '1.0.0',
      occurredAt: new Date().toISOString(),
      publishedAt: new Date().toISOString(),
      dataset: 'battery.cfp',
      contractVersion: '1.0.0',
      originator: randomUUID(),
      subject: `lot-${i}`,
      payload: payload(i),
    });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const start = next;
        next += batch;
        await producer.send({
          topic,
          acks: -1,
          messages: Array.from({ length: batch }, (_, k) => ({
            key: `lot-${start + k}`,
            value: envelope(start + k),
          })),
        });
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await producer.disconnect();
  return total / seconds;
}

async function governedPublish(
  client: RenkeiClient,
  token: string,
  total: number,
  batch: number,
  concurrency: number,
) {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const start = next;
        next += batch;
        await client.publish(
          'battery.cfp',
          token,
          Array.from({ length: batch }, (_, k) => ({
            subject: `lot-${start + k}`,
            payload: payload(start + k),
          })),
        );
      }
    }),
  );
  return total / ((performance.now() - t0) / 1000);
}

/** Reads the stream in the background, recording arrival times by lot id. */
function drain(stream: DeliveryStream, arrivals: Map<string, number>, onEnd: (at: number) => void) {
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const line = await stream.read(500);
      if (!line) continue;
      if (line.type === 'event') arrivals.set(String(line.event.payload.lotId), performance.now());
      if (line.type === 'end') {
        onEnd(performance.now());
        return;
      }
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

async function main() {
  mkdirSync(`${root}/docs/bench`, { recursive: true });
  await policyBench();

  const db = await freshDatabase(root, 'bench');
  const secrets = await generateSecrets();
  const prefix = `bench-${randomBytes(3).toString('hex')}`;
  const platform = await startPlatform({
    root,
    databaseUrl: db.url,
    kafkaBrokers: brokers.join(','),
    topicPrefix: prefix,
    // Worktrees sharing a machine each run on their own port range (as the e2e tests do).
    basePort: Number(process.env.RENKEI_E2E_BASE_PORT ?? 4301),
    logDir: `${root}/.renkei/logs/${prefix}`,
    logLevel: 'warn',
    secrets,
  });
  try {
    const e = platform.endpoints;
    const admin = new RenkeiClient(e, { clientId: 'consortium-admin', privateJwk: secrets.adminKey });
    const [kc, ka] = [await key('c'), await key('a')];
    const c = await admin.onboard({ ...cellMaker, jwks: { keys: [pub(kc)] } });
    const a = await admin.onboard({ ...automaker, jwks: { keys: [pub(ka)] } });
    const cell = new RenkeiClient(e, { clientId: c.id, privateJwk: kc });
    const auto = new RenkeiClient(e, { clientId: a.id, privateJwk: ka });
    await cell.registerContract(batteryCfpContract);
    const publishToken = await cell.datasetToken('battery.cfp', 'publish');
    await cell.publish('battery.cfp', publishToken, [{ payload: payload(-1) }]); // creates the topics

    // 1. governed publish throughput vs raw kafkajs, same broker, same run, same batch shape.
    const total = quick ? 20_000 : 100_000;
    const batch = Number(process.env.BENCH_BATCH ?? 100);
    const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
    const raw = await rawKafka(`${prefix}.raw`, total, batch, concurrency);
    const governed = await governedPublish(cell, publishToken, total, batch, concurrency);
    results.publishThroughput = {
      eventsPerSecondRaw: Math.round(raw),
      eventsPerSecondGoverned: Math.round(governed),
      ratio: round(governed / raw),
      batch,
      concurrency,
      total,
    };
    log(
      `publish: governed ${Math.round(governed)}/s vs raw ${Math.round(raw)}/s (ratio ${round(governed / raw)})`,
    );

    if (process.env.BENCH_ONLY === 'throughput') return;

    // 2. access request granted -> usable token.
    const tokenMs: number[] = [];
    let lastGrant = '';
    for (let i = 0; i < (quick ? 20 : 100); i++) {
      const g = await auto.requestGrant({ dataset: 'battery.cfp', purpose: 'cfp-disclosure' });
      await cell.approveGrant(g.id);
      const t0 = performance.now();
      await auto.datasetToken('battery.cfp', 'subscribe', g.id);
      tokenMs.push(performance.now() - t0);
      lastGrant = g.id;
    }
    const tk = summarise(tokenMs);
    results.grantToToken = { p50ms: round(tk.p50), p99ms: round(tk.p99), n: tk.n };
    log(`granted -> token: p99 ${round(tk.p99)} ms`);

    // 3. publish -> delivery latency at 1,000 events/s (10 events every 10 ms), on an open stream.
    const stream = await auto.stream(
      'battery.cfp',
      await auto.datasetToken('battery.cfp', 'subscribe', lastGrant),
    );
    const arrivals = new Map<string, number>();
    let endedAt = 0;
    const reader = drain(stream, arrivals, (at) => (endedAt = at));
    await sleep(1500); // the stream first replays the throughput run's events from the start of the topic
    const skip = new Set(arrivals.keys());
    while (true) {
      const before = arrivals.size;
      await sleep(1000);
      if (arrivals.size === before) break;
    }
    for (const k of arrivals.keys()) skip.add(k);
    const sent = new Map<string, number>();
    const seconds = quick ? 5 : 20;
    let seq = 0;
    const tStart = performance.now();
    const inflight: Promise<unknown>[] = [];
    for (let tick = 0; tick < seconds * 100; tick++) {
      const due = tStart + tick * 10;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const events = Array.from({ length: 10 }, () => {
        const id = `lat-${seq++}`;
        return { subject: id, payload: { ...payload(seq), lotId: id } };
      });
      const at = performance.now();
      for (const ev of events) sent.set(ev.payload.lotId, at);
      inflight.push(cell.publish('battery.cfp', publishToken, events));
    }
    await Promise.all(inflight);
    await sleep(2000);
    const lat = [...sent].flatMap(([id, at]) => (arrivals.has(id) ? [arrivals.get(id)! - at] : []));
    const ls = summarise(lat);
    results.deliveryLatency = {
      rateEventsPerSecond: 1000,
      seconds,
      sent: sent.size,
      delivered: lat.length,
      p50ms: round(ls.p50),
      p99ms: round(ls.p99),
      maxMs: round(ls.max),
    };
    log(
      `publish -> delivery at 1000/s: p50 ${round(ls.p50)} ms, p99 ${round(ls.p99)} ms (${lat.length}/${sent.size})`,
    );

    // 4. revocation -> last delivery, while publishing at 1,000 events/s.
    let publishing = true;
    const bg = (async () => {
      let i = 0;
      while (publishing) {
        await cell.publish(
          'battery.cfp',
          publishToken,
          Array.from({ length: 10 }, () => ({ payload: { ...payload(i), lotId: `rev-${i++}` } })),
        );
        await sleep(10);
      }
    })();
    await sleep(1000);
    const revokeAt = performance.now();
    await cell.revokeGrant(lastGrant, 'benchmark');
    const answeredAt = performance.now();
    await sleep(1000);
    publishing = false;
    await bg;
    await reader.stop();
    const revArrivals = [...arrivals].filter(([id]) => id.startsWith('rev-')).map(([, t]) => t);
    // No arrival at all (the stream ended before any rev- event reached it): null, not -Infinity.
    const lastDelivery = revArrivals.length > 0 ? Math.max(...revArrivals) : null;
    results.revocation = {
      revokeCallMs: round(answeredAt - revokeAt),
      lastDeliveryAfterRevokeCallMs:
        lastDelivery === null ? null : round(Math.max(0, lastDelivery - revokeAt)),
      streamEndedAfterRevokeCallMs: endedAt ? round(endedAt - revokeAt) : null,
    };
    log(
      `revocation: ${lastDelivery === null ? 'no delivery seen' : `last delivery ${round(lastDelivery - revokeAt)} ms`} after the revoke call began; stream ended after ${endedAt ? round(endedAt - revokeAt) : '?'} ms`,
    );
    stream.close();
  } finally {
    await platform.stop();
    await db.drop();
  }

  const { file, report } = writeReport('', quick, results);
  console.log(JSON.stringify(report, null, 2));
  log(`written to ${file}`);
}

// `--hostile`: the hostile-neighbour scenario instead (bench/hostile.ts, docs/benchmarks.md).
// `--streams-only`: only the delivery-at-scale scenario (bench/streams.ts); `--no-streams` leaves it out.
if (process.argv.includes('--hostile')) await (await import('./hostile.js')).hostileScenario();
else if (process.argv.includes('--streams-only')) await (await import('./streams.js')).streamsScenario();
else {
  await main();
  if (!process.argv.includes('--no-streams')) await (await import('./streams.js')).streamsScenario();
}
