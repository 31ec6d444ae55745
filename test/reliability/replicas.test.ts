/**
 * Two replicas of the exchange and two of clearing run side by side against one Kafka and one database;
 * clients reach either. An exchange replica is SIGKILLed mid-stream and the subscriber resumes on the other
 * with its own positions: every acknowledged event arrives, none twice. A clearing replica is SIGKILLed
 * while both issue tokens (each one a decision and a `token.issued` entry on the audit chain): issuance goes
 * on at the survivor, every token a client received is on the chain, and the chain verifies as one chain
 * (no fork, no gap). A grant's stored delivery position follows it from one exchange replica to the other.
 *
 * Bounded: 3-4.5 min on a loaded 2-core machine, half of it starting the processes (see
 * docs/operations.md, "Scaling out: replicas").
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
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
  until,
  type Received,
} from '../support/faults.js';

/** The exchange and clearing replicas listen on their usual ports + 10 (platform.ts). */
const BASE_PORT = Number(process.env.RENKEI_E2E_BASE_PORT ?? 4441);

describe('replicas of the exchange and clearing', () => {
  let env: Awaited<ReturnType<typeof startFaultPlatform>>;
  let platform: RunningPlatform;
  let admin: RenkeiClient;
  /** The participants' clients, one per replica: [0] reaches replica 0 of both services, [1] replica 1. */
  let cell: RenkeiClient[];
  let auto: RenkeiClient[];
  let compliance: RenkeiClient;
  let grantId: string;
  let publishToken: string;
  const rec = new Recorder();

  beforeAll(async () => {
    const started = Date.now();
    env = await startFaultPlatform('reliability-replicas', BASE_PORT, undefined, {
      replicas: { exchange: 2, clearing: 2 },
      // Hundreds of tokens a minute from one participant: the per-replica token limit is not what is tested.
      env: { clearing: { RATE_LIMIT_TOKEN: 'off' } },
    });
    platform = env.platform;
    admin = env.admin;
    report(`platform with 2 exchange and 2 clearing replicas ready in ${Date.now() - started} ms`);
    const endpointsOf = (i: number) => ({
      ...platform.endpoints,
      exchange: platform.replicas.exchange[i]!.url,
      clearing: platform.replicas.clearing[i]!.url,
    });
    const [kc, ka, ko] = [await key('c'), await key('a'), await key('o')];
    const c = await retrying(() => admin.onboard({ ...cellMaker, jwks: { keys: [pub(kc)] } }));
    const a = await retrying(() => admin.onboard({ ...automaker, jwks: { keys: [pub(ka)] } }));
    const o = await retrying(() => admin.onboard({ ...complianceOffice, jwks: { keys: [pub(ko)] } }));
    cell = [0, 1].map((i) => new RenkeiClient(endpointsOf(i), { clientId: c.id, privateJwk: kc }));
    auto = [0, 1].map((i) => new RenkeiClient(endpointsOf(i), { clientId: a.id, privateJwk: ka }));
    compliance = new RenkeiClient(endpointsOf(0), { clientId: o.id, privateJwk: ko });
    await retrying(() => cell[0]!.registerContract(batteryCfpContract));
    // Requested at one clearing replica, approved at the other: both serve the same grants.
    grantId = (
      await retrying(() => auto[1]!.requestGrant({ dataset: 'battery.cfp', purpose: 'cfp-disclosure' }))
    ).id;
    await retrying(() => cell[0]!.approveGrant(grantId));
    publishToken = await retrying(() => cell[1]!.datasetToken('battery.cfp', 'publish'));
  });

  afterAll(async () => {
    await env?.stop();
  });

  /** Publishes batches of fresh events to the given exchange replicas in turn until stopped. */
  function publishers(what: string, replicas: number[]) {
    let running = true;
    const loops = replicas.map(async (replica) => {
      const url = platform.replicas.exchange[replica]!.url;
      for (let n = 0; running && n < 5_000; n++) {
        const events = Array.from({ length: 5 }, (_, i) => ({
          id: randomUUID(),
          subject: `lot-${replica}-${n}-${i}`,
          payload: { lotId: `lot-${replica}-${n}-${i}`, cellModel: 'X', cfpKgCo2ePerKwh: 50 + i },
        }));
        await rec.call(what, (signal) =>
          fetch(`${url}/datasets/battery.cfp/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${publishToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ events }),
            signal,
          }),
        );
        await sleep(60);
      }
    });
    return {
      stop: async () => {
        running = false;
        await Promise.all(loops);
      },
    };
  }

  it('resumes a stream on the other exchange replica after a SIGKILL: nothing lost, nothing twice', async () => {
    const subscriber = new PersistentSubscriber(auto, 'battery.cfp', grantId, 1);
    // Publishing goes to the replica that survives: what it acknowledges must all arrive.
    const load = publishers('publish:exchange-kill', [0]);
    // Whatever fails below, nothing of this test stays open for the next one.
    onTestFinished(() => Promise.all([subscriber.stop(), load.stop()]).then(() => undefined));
    await until(
      'events delivered by exchange replica 1',
      () => Promise.resolve(subscriber.received.filter((r) => r.from === 1).length >= 50),
      60_000,
    );
    const killedAt = Date.now();
    await platform.killReplica('exchange', 1);
    report(`exchange replica 1 SIGKILLed after ${subscriber.received.length} events delivered`);
    await until(
      'events delivered by exchange replica 0 after the kill',
      () => Promise.resolve(subscriber.received.filter((r) => r.from === 0).length >= 50),
      60_000,
    );
    await load.stop();
    const acked = acknowledged(rec.of('publish:exchange-kill'));
    await subscriber.drainUntil(acked, 60_000);
    const { lost, duplicated } = lossAndDuplicates(acked, subscriber.received);
    const resumedAt = subscriber.received.findIndex((r) => r.from === 0);
    report(
      `exchange kill: ${acked.length} acknowledged, ${subscriber.received.length} received (${resumedAt} from replica 1 before the kill), ${lost.length} lost, ${duplicated.length} duplicated; stream ends: ${subscriber.ends.join(', ') || 'none'}; ${Date.now() - killedAt} ms from kill to drained`,
    );
    report(rec.summary('publish:exchange-kill'));
    expect(resumedAt).toBeGreaterThan(0);
    expect(lost).toEqual([]);
    expect(duplicated).toEqual([]);
    // Nothing received twice at all: not even an event that was never acknowledged.
    expect(new Set(subscriber.received.map((r) => r.id)).size).toBe(subscriber.received.length);
    await platform.restartReplica('exchange', 1);
  });

  it("carries a grant's stored delivery position from one exchange replica to the other", async () => {
    // A stream opened without ?after= starts at the position the platform stored for the grant. Replica 0
    // served the grant above (it has read the stored positions); replica 1 serves it next; a stream opened
    // at replica 0 again must go on after what replica 1 delivered, not where replica 0 last stood.
    const publish = async (n: number) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i += 10) {
        const events = Array.from({ length: 10 }, () => {
          const id = randomUUID();
          ids.push(id);
          return { id, subject: 'lot', payload: { lotId: id, cellModel: 'X', cfpKgCo2ePerKwh: 1 } };
        });
        await retrying(() => cell[0]!.publish('battery.cfp', publishToken, events));
      }
      return ids;
    };
    /** Opens a stream without ?after= and reads until `want` all came (or, with `count`, that many events). */
    const read = async (replica: number, want: string[], count = Infinity): Promise<Received[]> => {
      const token = await auto[replica]!.datasetToken('battery.cfp', 'subscribe', grantId);
      const stream = await auto[replica]!.stream('battery.cfp', token);
      const got: Received[] = [];
      try {
        while (got.length < count && !(want.length > 0 && want.every((id) => got.some((r) => r.id === id)))) {
          const line = await stream.read(15_000);
          if (!line || line.type === 'end') throw new Error(`the stream at replica ${replica} stopped early`);
          if (line.type === 'event') got.push({ id: line.event.id, position: line.position });
        }
        // Everything published was read: nothing more is written to this client, so the stored position
        // is right after the last of them once the stream ends.
        await sleep(500);
      } finally {
        stream.close();
      }
      return got;
    };
    const first = await publish(40);
    const atReplica1 = await read(1, first);
    await sleep(1_000); // positions are stored every 200 ms
    const next = await publish(10);
    const atReplica0 = await read(0, [], 1);
    report(
      `stored position: replica 1 delivered ${atReplica1.length} events up to ${atReplica1.at(-1)?.position}; replica 0 went on at ${atReplica0[0]?.position}`,
    );
    expect(atReplica0[0]?.id).toBe(next[0]);
  });

  it('keeps issuing at the surviving clearing replica, and the audit chain stays one valid chain', async () => {
    const db = new pg.Client({ connectionString: env.databaseUrl });
    await db.connect();
    try {
      const before = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM clearing.audit_log');
      /** Token requests at one clearing replica until stopped; the jti of every token received. */
      const issued = new Map<number, string[]>([
        [0, []],
        [1, []],
      ]);
      let running = true;
      const issuers = [0, 1].map(async (replica) => {
        const url = platform.replicas.clearing[replica]!.url;
        for (let n = 0; running && n < 2_000; n++) {
          const platformToken = await auto[replica]!.platformToken().catch(() => null);
          if (!platformToken) {
            await sleep(200);
            continue;
          }
          const answer = await rec.call(`token:clearing-${replica}`, (signal) =>
            fetch(`${url}/tokens/dataset`, {
              method: 'POST',
              headers: { authorization: `Bearer ${platformToken}`, 'content-type': 'application/json' },
              body: JSON.stringify({ dataset: 'battery.cfp', action: 'subscribe', grantId }),
              signal,
            }),
          );
          const token = (answer.body as { access_token?: string } | undefined)?.access_token;
          if (answer.status === 200 && token) issued.get(replica)!.push(decodeJwt(token).jti!);
          if (answer.status === 0) await sleep(100);
        }
      });
      // Both replicas append concurrently: hundreds of decisions each.
      await until(
        '200 tokens issued by each clearing replica',
        () => Promise.resolve(issued.get(0)!.length >= 200 && issued.get(1)!.length >= 200),
        120_000,
      );
      const atKill = { 0: issued.get(0)!.length, 1: issued.get(1)!.length };
      await platform.killReplica('clearing', 1);
      const killedAt = Date.now();
      await until(
        '100 more tokens issued by the surviving replica',
        () => Promise.resolve(issued.get(0)!.length >= atKill[0] + 100),
        60_000,
      );
      running = false;
      await Promise.all(issuers);
      report(
        `clearing kill: replica 0 issued ${issued.get(0)!.length} (${issued.get(0)!.length - atKill[0]} after the kill, ${Date.now() - killedAt} ms), replica 1 issued ${issued.get(1)!.length} before it died`,
      );
      report(rec.summary('token:clearing-0'));
      report(rec.summary('token:clearing-1'));
      // The survivor never stopped answering.
      expect(rec.of('token:clearing-0').filter((a) => a.startedAt > killedAt && a.status !== 200)).toEqual(
        [],
      );

      // One chain: numbered without a gap, each entry linked to the one before, and it verifies.
      const verdict = await compliance.auditVerify();
      const { rows } = await db.query<{ n: string; max: string; forks: string }>(
        `SELECT count(*)::text AS n, max(seq)::text AS max,
                (SELECT count(*) FROM (SELECT prev_hash FROM clearing.audit_log GROUP BY prev_hash HAVING count(*) > 1) f)::text AS forks
         FROM clearing.audit_log`,
      );
      const chain = rows[0]!;
      report(
        `audit chain: ${chain.n} entries (${Number(chain.n) - Number(before.rows[0]!.n)} during the test), head seq ${chain.max}, verify ${verdict.ok ? 'ok' : `${verdict.code} at ${verdict.firstBadSeq}`}`,
      );
      expect(verdict).toMatchObject({ ok: true, code: null, firstBadSeq: null });
      expect(chain.n).toBe(chain.max);
      expect(chain.forks).toBe('0');
      expect(verdict.entries).toBeGreaterThanOrEqual(Number(chain.max));
      // Every token a client received is on the chain, whichever replica issued it (the one killed too).
      const jtis = [...issued.get(0)!, ...issued.get(1)!];
      const onChain = await db.query<{ jti: string }>(
        `SELECT payload->>'jti' AS jti FROM clearing.audit_log WHERE kind = 'token.issued' AND payload->>'jti' = ANY($1::text[])`,
        [jtis],
      );
      const found = new Set(onChain.rows.map((r) => r.jti));
      expect(jtis.filter((j) => !found.has(j))).toEqual([]);
    } finally {
      await db.end();
    }
  });
});
