/**
 * SIGTERM to the exchange while a member publishes and another reads its stream (ADR 0037): the process
 * stops gracefully and exits 0 within SHUTDOWN_TIMEOUT_MS; the stream's last line is an `end` with the
 * position after the last event it gave; a stream opened on the restarted exchange `?after=` that position
 * gets every acknowledged publication that the first did not, and none twice. Every acknowledged event is
 * on Kafka (the streams read it from there).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient, type StreamLine } from '@renkei/sdk';
import {
  participantKey as newKey,
  publicJwk,
  startTestPlatform,
  type TestPlatform,
} from '../support/test-platform.js';
import { automaker, batteryCfpContract, cellMaker } from '../fixtures/battery-cfp.js';

const SHUTDOWN_TIMEOUT_MS = 15_000;
const SHUTDOWN_DRAIN_MS = 1_500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let env: TestPlatform;
let cell: RenkeiClient;
let auto: RenkeiClient;
let grantId: string;

beforeAll(async () => {
  env = await startTestPlatform('graceful', 5500, {
    env: {
      exchange: {
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
        SHUTDOWN_DRAIN_MS: String(SHUTDOWN_DRAIN_MS),
      },
    },
  });
  const [kc, ka] = [await newKey('c'), await newKey('a')];
  const c = await env.admin.onboard({ ...cellMaker, jwks: { keys: [publicJwk(kc)] } });
  const a = await env.admin.onboard({ ...automaker, jwks: { keys: [publicJwk(ka)] } });
  cell = new RenkeiClient(env.platform.endpoints, { clientId: c.id, privateJwk: kc });
  auto = new RenkeiClient(env.platform.endpoints, { clientId: a.id, privateJwk: ka });
  await cell.registerContract(batteryCfpContract);
  grantId = (await auto.requestGrant({ dataset: 'battery.cfp', purpose: 'cfp-disclosure' })).id;
  await cell.approveGrant(grantId);
});

afterAll(async () => {
  await env?.stop();
});

/** Publishes batches until stopped; the ids of every batch answered 202 (acknowledged by Kafka). */
function publisher(token: string) {
  const acknowledged: string[] = [];
  const answers = new Map<number | string, number>();
  let running = true;
  const loop = (async () => {
    for (let n = 0; running && n < 10_000; n++) {
      const events = Array.from({ length: 5 }, (_, i) => ({
        id: randomUUID(),
        subject: `lot-${n}-${i}`,
        payload: { lotId: `lot-${n}-${i}`, cellModel: 'X', cfpKgCo2ePerKwh: 50 + i },
      }));
      const status = await fetch(`${env.platform.endpoints.exchange}/datasets/battery.cfp/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
        signal: AbortSignal.timeout(10_000),
      }).then(
        async (r) => (await r.arrayBuffer(), r.status),
        () => 'refused',
      );
      answers.set(status, (answers.get(status) ?? 0) + 1);
      if (status === 202) acknowledged.push(...events.map((e) => e.id));
      await sleep(status === 202 ? 20 : 200);
    }
  })();
  return {
    acknowledged,
    answers,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/**
 * Reads a stream until its `end` line (returned) or, once `until()` holds, 1.5 s longer (a duplicate would
 * come then), within `ms`.
 */
async function read(
  after: string | undefined,
  received: string[],
  until: () => boolean,
  ms: number,
): Promise<StreamLine | undefined> {
  const token = await auto.datasetToken('battery.cfp', 'subscribe', grantId);
  // The exchange learns of the approval from Kafka: until then the grant is not yet its to honour.
  let stream: Awaited<ReturnType<typeof auto.stream>> | undefined;
  for (let attempt = 0; !stream; attempt++) {
    stream = await auto.stream('battery.cfp', token, after ? { after } : {}).catch(async (error: unknown) => {
      if (attempt >= 100) throw error;
      await sleep(200);
      return undefined;
    });
  }
  let deadline = Date.now() + ms;
  let settling = false;
  try {
    while (Date.now() < deadline) {
      const line = await stream.read(500);
      if (line?.type === 'event') received.push(line.event.id);
      if (line?.type === 'end') return line;
      if (!settling && until()) {
        settling = true;
        deadline = Math.min(deadline, Date.now() + 1_500);
      }
    }
    return undefined;
  } finally {
    stream.close();
  }
}

describe('graceful shutdown of the exchange under a publisher and a stream', () => {
  it('exits 0 in time, ends the stream with a resumable position, and loses or repeats nothing', async () => {
    const publishToken = await cell.datasetToken('battery.cfp', 'publish');
    const load = publisher(publishToken);
    const first: string[] = [];
    // The first stream reads until the exchange ends it.
    const firstEnd = read(undefined, first, () => false, 120_000);
    for (let waited = 0; first.length < 50 && waited < 60_000; waited += 100) await sleep(100);
    expect(first.length).toBeGreaterThan(0);
    const pid = env.platform.pid('exchange');
    const signalled = Date.now();
    // Readiness turns false first, while the old process still serves (the drain).
    const readiness = (async () => {
      for (let i = 0; i < 40; i++) {
        const answer = await fetch(`${env.platform.endpoints.exchange}/health/ready`).then(
          async (r) => ({ status: r.status, body: (await r.json()) as { checks?: Record<string, string> } }),
          () => null,
        );
        if (process.env.DEBUG_GRACEFUL) console.log(i, Date.now() - signalled, JSON.stringify(answer));
        if (answer?.status === 503 && answer.body.checks?.shutdown === 'down') return answer;
        await sleep(50);
      }
      return null;
    })();
    const [notReady] = await Promise.all([readiness, env.platform.restart('exchange', 'SIGTERM')]);
    expect(notReady).toMatchObject({ status: 503, body: { checks: { shutdown: 'down' } } });
    const exit = env.platform.lastExit!('exchange')!;
    // Stopped by itself, with status 0, within its deadline (not by the harness's SIGKILL after 10 s).
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - signalled).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    expect(env.platform.pid('exchange')).not.toBe(pid);
    const end = await firstEnd;
    expect(end).toMatchObject({ type: 'end', code: 'SERVICE.STOPPING' });
    const position = (end as { position?: string }).position;
    expect(position).toMatch(/^\d+:\d+(,\d+:\d+)*$/);
    // Publishing goes on against the restarted exchange.
    const before = load.acknowledged.length;
    const started = Date.now();
    while (load.acknowledged.length < before + 50 && Date.now() - started < 30_000) await sleep(100);
    await load.stop();
    const acknowledged = new Set(load.acknowledged);
    expect(load.acknowledged.length).toBeGreaterThan(before);
    // Resumed after the end line's position alone: everything acknowledged that the first stream did not get.
    const second: string[] = [];
    const missing = () => {
      const got = new Set([...first, ...second]);
      return [...acknowledged].every((id) => got.has(id));
    };
    expect(await read(position, second, missing, 60_000)).toBeUndefined();
    const all = [...first, ...second];
    const lost = [...acknowledged].filter((id) => !all.includes(id));
    const duplicated = all.filter((id, i) => all.indexOf(id) !== i);
    console.log(
      `[graceful] exit ${exit.code} after ${exit.at - signalled} ms; first stream ${first.length}, resumed ${second.length}; acknowledged ${acknowledged.size}; answers ${JSON.stringify(Object.fromEntries(load.answers))}`,
    );
    expect(lost).toEqual([]);
    expect(duplicated).toEqual([]);
  });
});
