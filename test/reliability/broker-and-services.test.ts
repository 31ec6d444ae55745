/**
 * Kafka and the services fail under load, and nothing acknowledged is lost: the broker is SIGKILLed and
 * restarted while members publish, then kept down for a whole outage; the exchange is SIGKILLed
 * mid-stream; clearing is SIGKILLed during approvals and token issuance. Every client answer is a 2xx or a
 * 503 with Retry-After within 2 s, every acknowledged event reaches the subscriber exactly once, and every
 * service comes back by itself. Runs on a broker and database private to these tests (private-infra.ts).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient } from '@renkei/sdk';
import { participantKey as key, publicJwk as pub } from '../support/test-platform.js';
import type { RunningPlatform } from '../support/platform.js';
import { automaker, batteryCfpContract, cellMaker, complianceOffice } from '../fixtures/battery-cfp.js';
import {
  PersistentSubscriber,
  Recorder,
  acknowledged,
  lossAndDuplicates,
  report,
  retrying,
  sleep,
  startFaultPlatform,
  status,
  until,
} from '../support/faults.js';
import { privateKafka, privatePorts, repoRoot } from '../support/private-infra.js';

/** The outage is 60 s; RELIABILITY_OUTAGE_S shortens it on a slow machine (see docs/operations.md). */
const OUTAGE_MS = Number(process.env.RELIABILITY_OUTAGE_S ?? 60) * 1000;

/**
 * Restarts the broker in the background; `listening` resolves when its port accepts connections again.
 * scripts/kafka.sh gives up waiting after 60 s on a loaded machine while the broker goes on starting: it
 * is asked again (it then finds the broker running), a bounded number of times.
 */
function restartBroker(): { listening: Promise<number>; ready: Promise<void> } {
  const startOnce = () =>
    new Promise<boolean>((resolve) => {
      const child = spawn('bash', [join(repoRoot, 'scripts/kafka.sh'), 'start'], {
        env: {
          ...process.env,
          KAFKA_PORT: String(privatePorts.kafka),
          KAFKA_CONTROLLER_PORT: String(privatePorts.kafkaController),
          RENKEI_STATE_DIR: join(repoRoot, '.renkei/reliability'),
        },
        stdio: 'ignore',
      });
      child.once('exit', (code) => resolve(code === 0));
    });
  const ready = (async () => {
    for (let attempt = 1; attempt <= 3; attempt++) if (await startOnce()) return;
    throw new Error('the private broker did not start');
  })();
  ready.catch(() => undefined);
  const listening = (async () => {
    for (let i = 0; i < 1800; i++) {
      const open = await new Promise<boolean>((resolve) => {
        const socket = connect(privatePorts.kafka, '127.0.0.1');
        socket.once('connect', () => (socket.destroy(), resolve(true)));
        socket.once('error', () => resolve(false));
      });
      if (open) return Date.now();
      await sleep(100);
    }
    throw new Error('broker port never opened');
  })();
  return { listening, ready };
}

describe('Kafka, exchange and clearing failures under load', () => {
  let env: Awaited<ReturnType<typeof startFaultPlatform>>;
  let platform: RunningPlatform;
  let cell: RenkeiClient;
  let auto: RenkeiClient;
  let compliance: RenkeiClient;
  let grantId: string;
  let publishToken: string;
  const rec = new Recorder();

  beforeAll(async () => {
    const started = Date.now();
    env = await startFaultPlatform('reliability-kafka', 4441);
    platform = env.platform;
    report(`platform ready in ${Date.now() - started} ms`);
    const [kc, ka, ko] = [await key('c'), await key('a'), await key('o')];
    const c = await retrying(() => env.admin.onboard({ ...cellMaker, jwks: { keys: [pub(kc)] } }));
    const a = await retrying(() => env.admin.onboard({ ...automaker, jwks: { keys: [pub(ka)] } }));
    const o = await retrying(() => env.admin.onboard({ ...complianceOffice, jwks: { keys: [pub(ko)] } }));
    cell = new RenkeiClient(platform.endpoints, { clientId: c.id, privateJwk: kc });
    auto = new RenkeiClient(platform.endpoints, { clientId: a.id, privateJwk: ka });
    compliance = new RenkeiClient(platform.endpoints, { clientId: o.id, privateJwk: ko });
    await retrying(() => cell.registerContract(batteryCfpContract));
    grantId = (await retrying(() => auto.requestGrant({ dataset: 'battery.cfp', purpose: 'cfp-disclosure' })))
      .id;
    await retrying(() => cell.approveGrant(grantId));
    publishToken = await retrying(() => cell.datasetToken('battery.cfp', 'publish'));
  });

  afterAll(async () => {
    await env?.stop();
  });

  /** Publishes batches of fresh events until stopped, recording every answer. */
  function publishers(what: string, workers = 2) {
    let running = true;
    const loops = Array.from({ length: workers }, async (_, w) => {
      for (let n = 0; running && n < 5_000; n++) {
        const events = Array.from({ length: 5 }, (_, i) => ({
          id: randomUUID(),
          subject: `lot-${w}-${n}-${i}`,
          payload: { lotId: `lot-${w}-${n}-${i}`, cellModel: 'X', cfpKgCo2ePerKwh: 50 + i },
        }));
        await rec.call(what, (signal) =>
          fetch(`${platform.endpoints.exchange}/datasets/battery.cfp/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${publishToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ events }),
            signal,
          }),
        );
        await sleep(50);
      }
    });
    return {
      stop: async () => {
        running = false;
        await Promise.all(loops);
      },
    };
  }

  /** Asks clearing for dataset tokens until stopped (each needs the database and a Kafka barrier). */
  function tokenRequests(what: string) {
    let running = true;
    const loop = (async () => {
      for (let n = 0; running && n < 5_000; n++) {
        const platformToken = await auto.platformToken().catch(() => null);
        if (platformToken) {
          await rec.call(what, (signal) =>
            fetch(`${platform.endpoints.clearing}/tokens/dataset`, {
              method: 'POST',
              headers: { authorization: `Bearer ${platformToken}`, 'content-type': 'application/json' },
              body: JSON.stringify({ dataset: 'battery.cfp', action: 'subscribe', grantId }),
              signal,
            }),
          );
        }
        await sleep(200);
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
      },
    };
  }

  function expectDelivered(subscriber: PersistentSubscriber, what: string) {
    const acked = acknowledged(rec.of(what));
    const { lost, duplicated } = lossAndDuplicates(acked, subscriber.received);
    report(`${what}: ${acked.length} acknowledged, ${lost.length} lost, ${duplicated.length} duplicated`);
    expect(acked.length).toBeGreaterThan(0);
    expect(lost).toEqual([]);
    expect(duplicated).toEqual([]);
  }

  it('loses no acknowledged event when the broker is SIGKILLed and restarted while members publish', async () => {
    const exchangePid = platform.pid('exchange');
    const clearingPid = platform.pid('clearing');
    const subscriber = new PersistentSubscriber(auto, 'battery.cfp', grantId);
    const load = publishers('publish:broker-kill');
    const tokens = tokenRequests('token:broker-kill');
    await sleep(3_000);
    const killedAt = Date.now();
    await privateKafka.kill();
    const broker = restartBroker();
    const listeningAt = await broker.listening;
    await broker.ready;
    const firstPublish = await until(
      'a publication acknowledged after the broker restart',
      () => Promise.resolve(rec.firstSuccessAfter('publish:broker-kill', listeningAt) !== undefined),
      60_000,
    );
    await sleep(2_000);
    await Promise.all([load.stop(), tokens.stop()]);
    const backAt = rec.firstSuccessAfter('publish:broker-kill', listeningAt)!.endedAt;
    report(
      `broker kill: down ${listeningAt - killedAt} ms (until its port opened); first 202 ${backAt - listeningAt} ms after that (waited ${firstPublish} ms)`,
    );
    report(rec.summary('publish:broker-kill'));
    report(rec.summary('token:broker-kill'));
    // No 202 while Kafka was down: nothing can be acknowledged by a broker that is not there.
    const duringOutage = rec
      .of('publish:broker-kill')
      .filter((a) => a.status === 202 && a.startedAt > killedAt && a.endedAt < listeningAt);
    expect(duringOutage).toEqual([]);
    await subscriber.drainUntil(acknowledged(rec.of('publish:broker-kill')), 60_000);
    expectDelivered(subscriber, 'publish:broker-kill');
    expect(rec.violations().filter((a) => a.what.endsWith(':broker-kill'))).toEqual([]);
    // The services survived: same processes, no manual restart.
    expect(platform.pid('exchange')).toBe(exchangePid);
    expect(platform.pid('clearing')).toBe(clearingPid);
    const readyIn = await until(
      'exchange and clearing ready again',
      async () =>
        (await status(`${platform.endpoints.exchange}/health/ready`)) === 200 &&
        (await status(`${platform.endpoints.clearing}/health/ready`)) === 200,
      30_000,
    );
    report(`broker kill: exchange and clearing ready ${readyIn} ms after the check began`);
  });

  it('answers 503 quickly for a whole broker outage, reports not-ready, and recovers by itself', async () => {
    const exchangePid = platform.pid('exchange');
    const clearingPid = platform.pid('clearing');
    const subscriber = new PersistentSubscriber(auto, 'battery.cfp', grantId);
    await sleep(1_000);
    const load = publishers('publish:outage', 1);
    const tokens = tokenRequests('token:outage');
    await sleep(1_000);
    const killedAt = Date.now();
    await privateKafka.kill();
    // Readiness turns false while the broker is away; liveness stays true (nothing to restart).
    const notReadyAfter = await until(
      'exchange and clearing not ready',
      async () =>
        (await status(`${platform.endpoints.exchange}/health/ready`)) === 503 &&
        (await status(`${platform.endpoints.clearing}/health/ready`)) === 503,
      15_000,
    );
    expect(await status(`${platform.endpoints.exchange}/health/live`)).toBe(200);
    expect(await status(`${platform.endpoints.clearing}/health/live`)).toBe(200);
    expect(await status(`${platform.endpoints.exchange}/health`)).toBe(503);
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - killedAt)));
    const broker = restartBroker();
    const listeningAt = await broker.listening;
    await broker.ready;
    await until(
      'a publication acknowledged after the outage',
      () => Promise.resolve(rec.firstSuccessAfter('publish:outage', listeningAt) !== undefined),
      60_000,
    );
    const readyAfter = await until(
      'exchange and clearing ready again',
      async () =>
        (await status(`${platform.endpoints.exchange}/health/ready`)) === 200 &&
        (await status(`${platform.endpoints.clearing}/health/ready`)) === 200,
      30_000,
    );
    await sleep(1_000);
    await Promise.all([load.stop(), tokens.stop()]);
    const publishBack = rec.firstSuccessAfter('publish:outage', listeningAt)!.endedAt - listeningAt;
    const tokenBack = rec.firstSuccessAfter('token:outage', listeningAt);
    report(
      `outage of ${listeningAt - killedAt} ms: not ready within ${notReadyAfter} ms; after the broker's port opened, first 202 in ${publishBack} ms, first dataset token in ${tokenBack ? tokenBack.endedAt - listeningAt : 'n/a'} ms, both ready ${readyAfter} ms after the broker's start script returned`,
    );
    report(rec.summary('publish:outage'));
    report(rec.summary('token:outage'));
    const during = rec.of('publish:outage').filter((a) => a.startedAt > killedAt && a.endedAt < listeningAt);
    expect(during.length).toBeGreaterThan(0);
    expect(during.filter((a) => a.status === 202)).toEqual([]);
    await subscriber.drainUntil(acknowledged(rec.of('publish:outage')), 60_000);
    expectDelivered(subscriber, 'publish:outage');
    expect(rec.violations().filter((a) => a.what.endsWith(':outage'))).toEqual([]);
    expect(platform.pid('exchange')).toBe(exchangePid);
    expect(platform.pid('clearing')).toBe(clearingPid);
  });

  it('resumes every stream at the client positions when the exchange is SIGKILLed mid-stream', async () => {
    const subscriber = new PersistentSubscriber(auto, 'battery.cfp', grantId);
    const load = publishers('publish:exchange-kill');
    await sleep(2_000);
    const killedAt = Date.now();
    await platform.restart('exchange', 'SIGKILL');
    const readyAt = Date.now();
    await until(
      'a publication acknowledged by the new exchange',
      () => Promise.resolve(rec.firstSuccessAfter('publish:exchange-kill', readyAt) !== undefined),
      30_000,
    );
    await sleep(1_000);
    await load.stop();
    const first = rec.of('publish:exchange-kill').find((a) => a.startedAt > killedAt && a.status === 202)!;
    report(
      `exchange kill: ready again ${readyAt - killedAt} ms after SIGKILL; first 202 ${first.endedAt - killedAt} ms after it`,
    );
    report(rec.summary('publish:exchange-kill'));
    await subscriber.drainUntil(acknowledged(rec.of('publish:exchange-kill')), 60_000);
    expectDelivered(subscriber, 'publish:exchange-kill');
    // Connections are refused only while no exchange process exists.
    expect(
      rec.violations([{ from: killedAt, to: readyAt }]).filter((a) => a.what === 'publish:exchange-kill'),
    ).toEqual([]);
  });

  it('keeps grants consistent and every issued token on the audit chain when clearing is SIGKILLed', async () => {
    // Grants to approve while clearing dies: one dataset each, requested up front.
    const datasets = Array.from({ length: 12 }, (_, i) => `battery.cfp-${i}`);
    for (const dataset of datasets) await cell.registerContract({ ...batteryCfpContract, dataset });
    const grants = [];
    for (const dataset of datasets)
      grants.push(await auto.requestGrant({ dataset, purpose: 'cfp-disclosure' }));
    const cellToken = await cell.platformToken();
    const issued: string[] = [];
    let running = true;
    const approvals = (async () => {
      for (const grant of grants) {
        if (!running) break;
        await rec.call('approve', (signal) =>
          fetch(`${platform.endpoints.clearing}/grants/${grant.id}/approve`, {
            method: 'POST',
            headers: { authorization: `Bearer ${cellToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ reason: null }),
            signal,
          }),
        );
        await sleep(300);
      }
    })();
    const tokens = (async () => {
      for (let n = 0; running && n < 1_000; n++) {
        const answer = await rec.call('token:clearing-kill', (signal) =>
          fetch(`${platform.endpoints.clearing}/tokens/dataset`, {
            method: 'POST',
            headers: { authorization: `Bearer ${cellToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ dataset: 'battery.cfp', action: 'publish' }),
            signal,
          }),
        );
        const token = (answer.body as { access_token?: string } | undefined)?.access_token;
        if (answer.status === 200 && token) {
          const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
            jti: string;
          };
          issued.push(claims.jti);
        }
        await sleep(100);
      }
    })();
    await sleep(1_500);
    const killedAt = Date.now();
    await platform.restart('clearing', 'SIGKILL');
    const readyAt = Date.now();
    await until(
      'a dataset token from the new clearing',
      () => Promise.resolve(rec.firstSuccessAfter('token:clearing-kill', readyAt) !== undefined),
      30_000,
    );
    await approvals;
    running = false;
    await tokens;
    const first = rec.firstSuccessAfter('token:clearing-kill', killedAt + 1)!;
    report(
      `clearing kill: ready again ${readyAt - killedAt} ms after SIGKILL; first token ${first.endedAt - killedAt} ms after it`,
    );
    report(rec.summary('approve'));
    report(rec.summary('token:clearing-kill'));
    const down = [{ from: killedAt, to: readyAt }];
    expect(
      rec.violations(down).filter((a) => a.what === 'approve' || a.what === 'token:clearing-kill'),
    ).toEqual([]);
    // Grants: approved ones are granted; any other is still requested and can be approved now.
    const approved = new Set(
      rec
        .of('approve')
        .filter((a) => a.status === 200 || a.status === 201)
        .map((a) => (a.body as { id: string }).id),
    );
    for (const grant of grants) {
      const current = (await auto.grants()).find((g) => g.id === grant.id)!;
      if (approved.has(grant.id)) expect(current.state).toBe('granted');
      else {
        expect(['requested', 'granted']).toContain(current.state);
        if (current.state === 'requested') await cell.approveGrant(grant.id);
      }
    }
    // Every token a client received is on the audit chain, and the chain verifies.
    const onChain = new Set<string>();
    let after: number | null = 0;
    for (let page = 0; after !== null && page < 100; page++) {
      const { items, next } = await compliance.auditEntries({
        kind: 'token.issued',
        limit: '500',
        ...(after ? { after: String(after) } : {}),
      });
      for (const item of items) {
        const jti = JSON.stringify(item).match(/"jti":"([^"]+)"/)?.[1];
        if (jti) onChain.add(jti);
      }
      after = next;
    }
    expect(issued.length).toBeGreaterThan(0);
    expect(issued.filter((jti) => !onChain.has(jti))).toEqual([]);
    expect((await compliance.auditVerify()).ok).toBe(true);
  });
});
