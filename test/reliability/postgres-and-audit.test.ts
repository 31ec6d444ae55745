/**
 * PostgreSQL stalls (every server process SIGSTOPped for 15 s, connections left open) and an audit chain
 * cut back together with its stored checkpoint. Clients get a 2xx or a 503 with Retry-After within 2 s
 * throughout, readiness reports the stall and recovers by itself, and the truncation is detected from
 * the checkpoints anchored outside the database (the Kafka topic, the originators' feeds).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
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
import { privatePostgres } from '../support/private-infra.js';

const STALL_MS = 15_000;

describe('PostgreSQL stalls and audit truncation', () => {
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
    env = await startFaultPlatform('reliability-pg', 4451);
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
    privatePostgres.resume();
    await env?.stop();
  });

  it('answers 2xx or 503 with Retry-After within 2 s through a 15 s PostgreSQL stall, and recovers by itself', async () => {
    const pids = { clearing: platform.pid('clearing'), registry: platform.pid('registry') };
    const subscriber = new PersistentSubscriber(auto, 'battery.cfp', grantId);
    const platformToken = await auto.platformToken();
    let running = true;
    const loop = async (
      what: string,
      request: (signal: AbortSignal) => Promise<Response>,
      pauseMs: number,
    ) => {
      for (let n = 0; running && n < 2_000; n++) {
        await rec.call(what, request);
        await sleep(pauseMs);
      }
    };
    const loops = [
      loop(
        'oauth',
        async (signal) =>
          fetch(`${platform.endpoints.clearing}/oauth/token`, {
            method: 'POST',
            body: new URLSearchParams({
              grant_type: 'client_credentials',
              client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
              client_assertion: await cell.clientAssertion(),
            }),
            signal,
          }),
        200,
      ),
      loop(
        'dataset-token',
        (signal) =>
          fetch(`${platform.endpoints.clearing}/tokens/dataset`, {
            method: 'POST',
            headers: { authorization: `Bearer ${platformToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ dataset: 'battery.cfp', action: 'subscribe', grantId }),
            signal,
          }),
        200,
      ),
      loop('clearing-health', (signal) => fetch(`${platform.endpoints.clearing}/health`, { signal }), 250),
      loop('registry-health', (signal) => fetch(`${platform.endpoints.registry}/health`, { signal }), 250),
      loop(
        'catalog',
        (signal) =>
          fetch(`${platform.endpoints.registry}/catalog`, {
            headers: { authorization: `Bearer ${platformToken}` },
            signal,
          }),
        250,
      ),
      loop(
        'publish:pg',
        (signal) =>
          fetch(`${platform.endpoints.exchange}/datasets/battery.cfp/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${publishToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({
              events: [
                { id: randomUUID(), payload: { lotId: randomUUID(), cellModel: 'X', cfpKgCo2ePerKwh: 50 } },
              ],
            }),
            signal,
          }),
        100,
      ),
    ];
    await sleep(2_000);
    const stoppedAt = Date.now();
    privatePostgres.pause();
    await sleep(STALL_MS);
    privatePostgres.resume();
    const resumedAt = Date.now();
    await until(
      'clearing and registry answering again',
      () =>
        Promise.resolve(
          ['oauth', 'dataset-token', 'clearing-health', 'registry-health', 'catalog'].every(
            (what) => rec.firstSuccessAfter(what, resumedAt) !== undefined,
          ),
        ),
      30_000,
    );
    await sleep(1_000);
    running = false;
    await Promise.all(loops);
    for (const what of [
      'oauth',
      'dataset-token',
      'clearing-health',
      'registry-health',
      'catalog',
      'publish:pg',
    ]) {
      const first = rec.firstSuccessAfter(what, resumedAt);
      report(`${rec.summary(what)}; first 2xx ${first ? first.endedAt - resumedAt : 'n/a'} ms after SIGCONT`);
    }
    // During the stall: answers, quickly, and readiness says so.
    const during = (what: string) =>
      rec.of(what).filter((a) => a.startedAt > stoppedAt + 1_000 && a.endedAt < resumedAt);
    expect(during('oauth').length).toBeGreaterThan(3);
    expect(during('clearing-health').some((a) => a.status === 503)).toBe(true);
    expect(during('registry-health').some((a) => a.status === 503)).toBe(true);
    expect(rec.violations()).toEqual([]);
    // The exchange needs no database: publishing went on, and every acknowledged event arrives once.
    await subscriber.drainUntil(acknowledged(rec.of('publish:pg')), 60_000);
    const { lost, duplicated } = lossAndDuplicates(acknowledged(rec.of('publish:pg')), subscriber.received);
    expect(lost).toEqual([]);
    expect(duplicated).toEqual([]);
    expect(platform.pid('clearing')).toBe(pids.clearing);
    expect(platform.pid('registry')).toBe(pids.registry);
    await until(
      'clearing ready again',
      async () => (await status(`${platform.endpoints.clearing}/health/ready`)) === 200,
      30_000,
    );
  });

  it('detects the newest audit entries deleted together with their stored checkpoint', async () => {
    // Entries, a first checkpoint, more entries, a second checkpoint (anchored on Kafka and in the feed).
    for (let i = 0; i < 3; i++) await auto.datasetToken('battery.cfp', 'subscribe', grantId);
    const first = await compliance.createAuditCheckpoint();
    for (let i = 0; i < 3; i++) await auto.datasetToken('battery.cfp', 'subscribe', grantId);
    const second = await compliance.createAuditCheckpoint();
    expect(second.seq).toBeGreaterThan(first.seq);
    // The originator's feed holds the newest checkpoint: its own copy, outside the platform.
    const kept = await until(
      "the newest checkpoint in the originator's feed",
      async () =>
        (await cell.notifications()).some((n) => n.kind === 'AUDIT.CHECKPOINT' && n.reason === second.jws),
      10_000,
    );
    report(`checkpoint ${second.seq} reached the originator's feed within ${kept} ms`);
    expect((await compliance.auditVerify()).ok).toBe(true);
    // Give the relay and clearing's reader of the checkpoint topic a moment.
    await sleep(2_000);

    // Someone with database access cuts the chain back to the first checkpoint, stored checkpoint and
    // feed rows included: what remains is consistent with itself.
    const db = new pg.Client({ connectionString: env.databaseUrl });
    await db.connect();
    try {
      await db.query('BEGIN');
      await db.query("SET LOCAL session_replication_role = 'replica'");
      await db.query('DELETE FROM clearing.audit_log WHERE seq > $1', [first.seq]);
      await db.query('DELETE FROM clearing.audit_checkpoints WHERE seq > $1', [first.seq]);
      await db.query("DELETE FROM clearing.notifications WHERE kind = 'AUDIT.CHECKPOINT'");
      await db.query('COMMIT');
    } finally {
      await db.end();
    }
    // Stop the checkpointer from vouching for a new head meanwhile is not needed: it refuses a chain
    // shorter than what it has seen. Verify finds the cut from the checkpoint anchored on Kafka.
    const verdict = await compliance.auditVerify();
    report(`after truncation: ok=${verdict.ok} ${JSON.stringify(verdict).slice(0, 300)}`);
    expect(verdict.ok).toBe(false);
    expect(JSON.stringify(verdict)).toMatch(/anchored on Kafka/);
    // ...and from the copy the originator kept.
    const withReceipt = await cell.auditVerify(second.jws);
    expect(withReceipt.ok).toBe(false);
  });
});
