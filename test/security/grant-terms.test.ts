/**
 * Grant terms a member cannot get around, end to end with the four services running as processes:
 * - history: a consumer granted today does not receive what was published before the grant, on a fresh
 *   stream, on `?after=start` or with positions before it, unless the originator allowed it ('all', or an
 *   earlier time); the term is shown in the grant view (API, SDK, CLI);
 * - requests: asking again for the same dataset and purpose while a request waits lands nothing new in the
 *   originator's inbox (409 GRANT.ALREADY_REQUESTED), and no consumer has more than 50 requests waiting
 *   (409 GRANT.TOO_MANY_PENDING).
 * Each case first shows the legitimate path, then the attempt.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient, type DeliveryStream, type StreamLine } from '@renkei/sdk';
import { expectProblem } from '../support/problems.js';
import {
  participantKey,
  publicJwk,
  repoRoot,
  startTestPlatform,
  type TestPlatform,
} from '../support/test-platform.js';
import { automaker, batteryCfpContract, cellMaker, competitorCellMaker } from '../fixtures/battery-cfp.js';

const run = promisify(execFile);

/** Reads stream lines until `until` matches, the stream ends, or the time runs out. */
async function collect(
  stream: DeliveryStream,
  until: (seen: StreamLine[]) => boolean,
  timeoutMs = 15_000,
): Promise<StreamLine[]> {
  const seen: StreamLine[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = await stream.read(deadline - Date.now());
    if (!line) break;
    if (line.type === 'heartbeat') continue;
    seen.push(line);
    if (until(seen) || line.type === 'end') break;
  }
  return seen;
}

const lotIds = (seen: StreamLine[]) =>
  seen.flatMap((l) => (l.type === 'event' ? [String(l.event.payload.lotId)] : [])).sort();

const lot = (id: string) => ({
  subject: id,
  payload: { lotId: id, cellModel: 'KCW-NMC811-50Ah', cfpKgCo2ePerKwh: 61, unitPriceJpy: 9800 },
});

describe('grant terms: history and requests', () => {
  let env: TestPlatform;
  let cell: RenkeiClient;
  let auto: RenkeiClient;
  let rival: RenkeiClient;
  const keys: Record<string, JWK> = {};
  const ids: Record<string, string> = {};
  let publishToken: string;
  const old = ['lot-old-1', 'lot-old-2', 'lot-old-3'];
  const dir = mkdtempSync(join(tmpdir(), 'renkei-grant-terms-'));

  /** The renkei CLI as `who`, parsed from its JSON output. */
  const cli = async (who: string, args: string[]) => {
    const file = join(dir, `${who}.credentials.json`);
    writeFileSync(
      file,
      JSON.stringify({ ...env.platform.endpoints, clientId: ids[who], privateJwk: keys[who] }),
    );
    const { stdout } = await run(process.execPath, [`${repoRoot}/libs/sdk/dist/cli.js`, ...args], {
      env: { ...process.env, RENKEI_CREDENTIALS: file },
    });
    return JSON.parse(stdout) as Record<string, unknown>;
  };

  beforeAll(async () => {
    env = await startTestPlatform('security-grant-terms', 4405);
    for (const name of ['cell', 'auto', 'rival']) keys[name] = await participantKey(`${name}-key-1`);
    const onboarded = await Promise.all(
      (
        [
          ['cell', cellMaker],
          ['auto', automaker],
          ['rival', competitorCellMaker],
        ] as const
      ).map(([name, fixture]) => env.admin.onboard({ ...fixture, jwks: { keys: [publicJwk(keys[name]!)] } })),
    );
    ['cell', 'auto', 'rival'].forEach((name, i) => (ids[name] = onboarded[i]!.id));
    const as = (name: string) =>
      new RenkeiClient(env.platform.endpoints, { clientId: ids[name]!, privateJwk: keys[name]! });
    [cell, auto, rival] = [as('cell'), as('auto'), as('rival')];
    await cell.registerContract(batteryCfpContract);
    publishToken = await cell.datasetToken('battery.cfp', 'publish');
    // The topic's past: published before anyone holds a grant.
    await cell.publish('battery.cfp', publishToken, old.map(lot));
  });

  afterAll(async () => {
    await env?.stop();
  });

  describe('history', () => {
    let grantId: string;
    let positions: string[] = [];

    it('delivers what is published after the approval to a consumer granted today, and nothing before it', async () => {
      const requested = await auto.requestGrant({ dataset: 'battery.cfp', purpose: 'cfp-disclosure' });
      expect(requested).toMatchObject({ historyFrom: null, historyRequested: null });
      const approved = await cell.approveGrant(requested.id);
      grantId = approved.id;
      // Default: the approval time; everything published before it is the originator's to give, and it did not.
      expect(Date.parse(approved.historyFrom!)).toBeGreaterThan(Date.parse(approved.createdAt) - 1);
      const token = await auto.datasetToken('battery.cfp', 'subscribe', grantId);
      const stream = await auto.stream('battery.cfp', token);
      await cell.publish('battery.cfp', publishToken, [lot('lot-new-1'), lot('lot-new-2')]);
      // Read on for a while after the new ones: an old event arriving late would show up here.
      const seen = await collect(stream, () => false, 4_000);
      stream.close();
      expect(lotIds(seen)).toEqual(['lot-new-1', 'lot-new-2']);
      positions = seen.flatMap((l) => (l.type === 'event' ? [l.position] : []));
    });

    it('replays only from the history start on ?after=start and from positions before it', async () => {
      const token = await auto.datasetToken('battery.cfp', 'subscribe', grantId);
      const fromStart = await auto.stream('battery.cfp', token, { after: 'start' });
      const replayed = await collect(fromStart, (s) => lotIds(s).length >= 2, 10_000);
      expect(lotIds([...replayed, ...(await collect(fromStart, () => false, 2_000))])).toEqual([
        'lot-new-1',
        'lot-new-2',
      ]);
      fromStart.close();
      // Resuming right after each partition's first event does not reach back before the history start.
      const partitions = [...new Set(positions.map((p) => p.split(':')[0]!))];
      const again = await auto.stream(
        'battery.cfp',
        await auto.datasetToken('battery.cfp', 'subscribe', grantId),
        { after: Object.fromEntries(partitions.map((p) => [p, '0'])) },
      );
      const seen = await collect(again, () => false, 4_000);
      again.close();
      expect(lotIds(seen).filter((id) => old.includes(id))).toEqual([]);
    });

    it("delivers the whole history when the consumer asks for it and the originator's approval grants it", async () => {
      const requested = await rival.requestGrant({
        dataset: 'battery.cfp',
        purpose: 'cfp-disclosure',
        historyFrom: 'all',
      });
      expect(requested.historyRequested).toBe('all');
      const approved = await cell.approveGrant(requested.id, 'Due diligence on past lots');
      expect(approved.historyFrom).toBe('all');
      const stream = await rival.stream(
        'battery.cfp',
        await rival.datasetToken('battery.cfp', 'subscribe', requested.id),
        { after: 'start' },
      );
      const seen = await collect(stream, (s) => lotIds(s).length >= 5);
      stream.close();
      expect(lotIds(seen)).toEqual([...old, 'lot-new-1', 'lot-new-2'].sort());
    });

    it('lets the originator narrow what the consumer asked for, and shows the term in the CLI', async () => {
      const cutoff = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 50));
      await cell.publish('battery.cfp', publishToken, [lot('lot-new-3')]);
      const requested = await auto.requestGrant({
        dataset: 'battery.cfp',
        purpose: 'due-diligence',
        historyFrom: 'all',
      });
      const approved = await cell.approveGrant(requested.id, null, { historyFrom: cutoff });
      expect(approved.historyFrom).toBe(cutoff);
      const stream = await auto.stream(
        'battery.cfp',
        await auto.datasetToken('battery.cfp', 'subscribe', requested.id),
        { after: 'start' },
      );
      const seen = await collect(stream, () => false, 4_000);
      stream.close();
      expect(lotIds(seen)).toEqual(['lot-new-3']);
      expect(await cli('auto', ['grant', 'show', requested.id])).toMatchObject({
        id: requested.id,
        historyFrom: cutoff,
        historyRequested: 'all',
      });
    });
  });

  describe('requests', () => {
    it('refuses a second request for the same dataset and purpose while the first is waiting', async () => {
      const first = await rival.requestGrant({ dataset: 'battery.cfp', purpose: 'due-diligence' });
      expect(first.state).toBe('requested');
      const again = await expectProblem(
        rival.requestGrant({ dataset: 'battery.cfp', purpose: 'due-diligence' }),
        409,
        'GRANT.ALREADY_REQUESTED',
      );
      expect(JSON.stringify(again.problem)).toContain(first.id);
      const waiting = (await cell.grants()).filter(
        (g) => g.consumer === ids.rival && g.state === 'requested',
      );
      expect(waiting.map((g) => g.id)).toEqual([first.id]);
      // Once answered (or withdrawn), asking again is fine.
      await rival.revokeGrant(first.id, 'withdrawn');
      const second = await rival.requestGrant({ dataset: 'battery.cfp', purpose: 'due-diligence' });
      expect(second.state).toBe('requested');
    });

    it('caps the requests one consumer has waiting, so nobody can flood originators', async () => {
      const purposes = Array.from({ length: 18 }, (_, i) => `purpose-${String(i).padStart(2, '0')}`);
      for (const n of [1, 2, 3]) {
        await cell.registerContract({ ...batteryCfpContract, dataset: `battery.lot-${n}`, purposes });
      }
      const asks = [1, 2, 3].flatMap((n) =>
        purposes.map((purpose) => ({ dataset: `battery.lot-${n}`, purpose })),
      );
      // 50 may wait at once (one is waiting already from the test before).
      for (const ask of asks.slice(0, 49)) {
        expect((await rival.requestGrant(ask)).state).toBe('requested');
      }
      await expectProblem(rival.requestGrant(asks[49]!), 409, 'GRANT.TOO_MANY_PENDING');
      // Another consumer is not affected.
      expect((await auto.requestGrant(asks[49]!)).state).toBe('requested');
    });
  });
});
