/**
 * Signing-key rotation with overlap and the audit record as participants see it, end to end over HTTP with
 * the four services running as processes: tokens from before a rotation keep working at the exchange, the
 * new key's tokens work at once, originators see who used their data and keep signed receipts, compliance
 * officers export the record, and nobody sees another originator's usage.
 */
import { decodeProtectedHeader, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RenkeiClient,
  verifyCheckpointSignature,
  type AuditCheckpoint,
  type AuditUsage,
  type DeliveryStream,
  type StreamLine,
} from '@renkei/sdk';
import type { RunningPlatform } from '../support/platform.js';
import { expectDocumented } from '../support/openapi-conformance.js';
import { expectProblem } from '../support/problems.js';
import {
  participantKey as newKey,
  publicJwk,
  startTestPlatform,
  type TestPlatform,
} from '../support/test-platform.js';
import {
  automaker,
  batteryCfpContract,
  cellMaker,
  competitorCellMaker,
  complianceOffice,
} from '../fixtures/battery-cfp.js';
import { eventually } from '../support/eventually.js';

let env: TestPlatform;
let platform: RunningPlatform;

const lot = (i: number) => ({
  subject: `lot-2026-12-${String(i).padStart(4, '0')}`,
  payload: {
    lotId: `lot-2026-12-${String(i).padStart(4, '0')}`,
    cellModel: 'KCW-NMC811-50Ah',
    cfpKgCo2ePerKwh: 55 + i,
  },
});

/** Reads the stream until every expected event id has arrived (or the time runs out); returns what came. */
async function receive(stream: DeliveryStream, expected: string[], timeoutMs = 15_000): Promise<string[]> {
  const seen = new Set<string>();
  const deadline = Date.now() + timeoutMs;
  while (!expected.every((id) => seen.has(id)) && Date.now() < deadline) {
    const line: StreamLine | null = await stream.read(deadline - Date.now());
    if (!line || line.type === 'end') break;
    if (line.type === 'event') seen.add(line.event.id);
  }
  return [...seen];
}

/** RFC 4180 parser for the test's own check of the export (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field || row.length > 0) rows.push([...row, field]);
  return rows;
}

describe('signing-key rotation and the audit record', () => {
  let admin: RenkeiClient;
  let cell: RenkeiClient;
  let auto: RenkeiClient;
  let competitor: RenkeiClient;
  let compliance: RenkeiClient;
  const keys: Record<string, JWK> = {};
  const ids: Record<string, string> = {};
  let grantId: string;
  let oldPublishToken: string;
  let oldSubscribeToken: string;
  let firstKid: string;
  let newKid: string;
  let stream: DeliveryStream | undefined;
  let checkpointBeforeRotation: AuditCheckpoint;
  const jwksKids = async () => (await admin.jwks()).keys.map((k) => k.kid!).sort();

  beforeAll(async () => {
    env = await startTestPlatform('e2e-audit', 4201);
    ({ platform, admin } = env);
    for (const name of ['cell', 'auto', 'competitor', 'compliance'])
      keys[name] = await newKey(`${name}-key-1`);
    const onboarded = await Promise.all([
      admin.onboard({ ...cellMaker, jwks: { keys: [publicJwk(keys.cell!)] } }),
      admin.onboard({ ...automaker, jwks: { keys: [publicJwk(keys.auto!)] } }),
      admin.onboard({ ...competitorCellMaker, jwks: { keys: [publicJwk(keys.competitor!)] } }),
      admin.onboard({ ...complianceOffice, jwks: { keys: [publicJwk(keys.compliance!)] } }),
    ]);
    ['cell', 'auto', 'competitor', 'compliance'].forEach((name, i) => (ids[name] = onboarded[i]!.id));
    const client = (name: string) =>
      new RenkeiClient(platform.endpoints, { clientId: ids[name]!, privateJwk: keys[name]! });
    cell = client('cell');
    auto = client('auto');
    competitor = client('competitor');
    compliance = client('compliance');
    await cell.registerContract(batteryCfpContract);
    await competitor.registerContract({ ...batteryCfpContract, dataset: 'battery.cfp.tohoku' });
    grantId = (await auto.requestGrant({ dataset: 'battery.cfp', purpose: 'cfp-disclosure' })).id;
    await cell.approveGrant(grantId);
  });

  afterAll(async () => {
    stream?.close();
    await env?.stop();
  });

  describe('key rotation with overlap', () => {
    it('starts with the configured key, and every token names it', async () => {
      expect(await jwksKids()).toEqual([env.secrets.signingKeys[0]!.kid]);
      oldPublishToken = await cell.datasetToken('battery.cfp', 'publish');
      oldSubscribeToken = await auto.datasetToken('battery.cfp', 'subscribe', grantId);
      firstKid = decodeProtectedHeader(oldPublishToken).kid!;
      expect(firstKid).toBe(env.secrets.signingKeys[0]!.kid);
      expect(decodeProtectedHeader(oldSubscribeToken).kid).toBe(firstKid);
      stream = await auto.stream('battery.cfp', oldSubscribeToken);
      const published = await cell.publish('battery.cfp', oldPublishToken, [lot(0), lot(1)]);
      expect(await receive(stream, published.eventIds)).toEqual(expect.arrayContaining(published.eventIds));
      checkpointBeforeRotation = await compliance.createAuditCheckpoint();
      expect(checkpointBeforeRotation.kid).toBe(firstKid);
    });

    it('lists the ring to the consortium admin only, with no private parts', async () => {
      const ring = await admin.signingKeys();
      expect(ring.keys).toEqual([
        expect.objectContaining({ kid: firstKid, state: 'active', published: true }),
      ]);
      expect(ring.policy).toMatchObject({ rotateEveryHours: 720, prepublishSeconds: 600 });
      expect(JSON.stringify(ring)).not.toMatch(/"d"|wrapped|privateKey/);
      await expectProblem(auto.signingKeys(), 403, 'TOKEN.INSUFFICIENT_SCOPE');
      await expectProblem(auto.rotateSigningKey(), 403, 'TOKEN.INSUFFICIENT_SCOPE');
    });

    it('publishes the new key at once but keeps signing with the current one until it is due', async () => {
      const rotation = await admin.rotateSigningKey(6);
      expect(rotation).toMatchObject({ result: 'created', key: { state: 'next', published: true } });
      newKid = rotation.key.kid;
      expect(await jwksKids()).toEqual([firstKid, newKid].sort());
      const fresh = new RenkeiClient(platform.endpoints, { clientId: ids.cell!, privateJwk: keys.cell! });
      expect(decodeProtectedHeader(await fresh.datasetToken('battery.cfp', 'publish')).kid).toBe(firstKid);
    });

    it('promotes the new key after the delay; the JWKS lists both during the overlap', async () => {
      const ring = await eventually(
        () => admin.signingKeys(),
        (r) => r.keys.some((k) => k.kid === newKid && k.state === 'active'),
      );
      expect(ring.keys.find((k) => k.kid === firstKid)).toMatchObject({
        state: 'retiring',
        published: true,
        leavesJwksAt: expect.any(String),
      });
      expect(await jwksKids()).toEqual([firstKid, newKid].sort());
    });

    it('verifies tokens issued before the rotation at the exchange after it', async () => {
      const published = await cell.publish('battery.cfp', oldPublishToken, [lot(2)]);
      expect(published.accepted).toBe(1);
      expect(await receive(stream!, published.eventIds)).toEqual(expect.arrayContaining(published.eventIds));
    });

    it('verifies tokens signed by the new key at once, at the exchange and the registry', async () => {
      const newPublish = await cell.datasetToken('battery.cfp', 'publish');
      expect(decodeProtectedHeader(newPublish).kid).toBe(newKid);
      const published = await cell.publish('battery.cfp', newPublish, [lot(3)]);
      expect(published.accepted).toBe(1);
      expect(await receive(stream!, published.eventIds)).toEqual(expect.arrayContaining(published.eventIds));
      stream!.close();
      const newSubscribe = await auto.datasetToken('battery.cfp', 'subscribe', grantId);
      expect(decodeProtectedHeader(newSubscribe).kid).toBe(newKid);
      // The exchange lets go of the closed stream's grant a moment after the client hangs up.
      for (let attempt = 0; ; attempt++) {
        try {
          stream = await auto.stream('battery.cfp', newSubscribe);
          break;
        } catch (error) {
          if ((error as { code?: string }).code !== 'STREAM.ALREADY_OPEN' || attempt > 40) throw error;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      const more = await cell.publish('battery.cfp', newPublish, [lot(4)]);
      expect(await receive(stream, more.eventIds)).toEqual(expect.arrayContaining(more.eventIds));
      // A platform token from the new key, at the registry.
      const fresh = new RenkeiClient(platform.endpoints, { clientId: ids.auto!, privateJwk: keys.auto! });
      expect(decodeProtectedHeader(await fresh.platformToken()).kid).toBe(newKid);
      expect((await fresh.catalog()).items.map((c) => c.dataset)).toContain('battery.cfp');
    });

    it('puts the key changes on the audit record', async () => {
      const changes = (await compliance.auditEntries({ kind: 'signing-key.changed', limit: '500' })).items;
      expect(changes.map((c) => `${String(c.record.kid)}:${String(c.record.to)}`)).toEqual(
        expect.arrayContaining([
          `${firstKid}:active`,
          `${newKid}:next`,
          `${newKid}:active`,
          `${firstKid}:retiring`,
        ]),
      );
      expect(changes.find((c) => c.record.to === 'next')).toMatchObject({ actor: 'consortium-admin' });
    });
  });

  describe('what originators see', () => {
    let usage: AuditUsage;

    it('shows the originator who used its data, when, for what purpose, with event counts', async () => {
      usage = await eventually(
        () => cell.auditUsage({ dataset: 'battery.cfp' }),
        (u) => (u.consumers.find((c) => c.consumer === ids.auto)?.eventsDelivered ?? 0) >= 5,
      );
      expect(usage.datasets).toEqual(['battery.cfp']);
      // With real usage in it, the answer is the one the document (and the SDK's AuditUsage) promises.
      await expectDocumented(platform.endpoints.clearing, 'GET /audit/usage', usage);
      const mine = usage.consumers.find((c) => c.consumer === ids.auto)!;
      expect(mine).toMatchObject({
        dataset: 'battery.cfp',
        purposes: ['cfp-disclosure'],
        grants: [grantId],
      });
      expect(mine.eventsDelivered).toBeGreaterThanOrEqual(5);
      expect(mine.tokensIssued).toBeGreaterThanOrEqual(2);
      expect(mine.deliveries).toBeGreaterThanOrEqual(1);
      // The originator's own actions (publishing, approving) are not usage.
      expect(usage.consumers.map((c) => c.consumer)).not.toContain(ids.cell);
      const actions = new Set(usage.items.map((i) => i.action));
      for (const a of ['token.issued', 'grant.request', 'subscribe', 'deliver'])
        expect(actions, a).toContain(a);
      const delivery = usage.items.find((i) => i.action === 'deliver')!;
      expect(delivery).toMatchObject({
        consumer: ids.auto,
        purpose: 'cfp-disclosure',
        grant: grantId,
        allow: true,
        at: expect.any(String),
      });
      expect(delivery.events).toBeGreaterThan(0);
    });

    it("refuses anyone else's usage and entries: another originator's dataset is not found", async () => {
      await expectProblem(auto.auditUsage({ dataset: 'battery.cfp' }), 404, 'AUDIT.DATASET_NOT_FOUND');
      await expectProblem(competitor.auditUsage({ dataset: 'battery.cfp' }), 404, 'AUDIT.DATASET_NOT_FOUND');
      await expectProblem(cell.auditUsage({ dataset: 'battery.cfp.tohoku' }), 404, 'AUDIT.DATASET_NOT_FOUND');
      await expectProblem(auto.auditUsage({ dataset: 'no.such.dataset' }), 404, 'AUDIT.DATASET_NOT_FOUND');
      // Without a dataset: only one's own, and a consumer owns none.
      expect(await auto.auditUsage()).toMatchObject({ datasets: [], consumers: [], items: [] });
      expect((await competitor.auditUsage()).datasets).toEqual(['battery.cfp.tohoku']);
      expect((await competitor.auditUsage()).consumers).toEqual([]);
      expect((await auto.auditReceipts()).entries).toEqual([]);
      await expectProblem(auto.auditReceipts({ dataset: 'battery.cfp' }), 404, 'AUDIT.DATASET_NOT_FOUND');
      await expectProblem(auto.auditEntries({ dataset: 'battery.cfp' }), 403, 'TOKEN.INSUFFICIENT_SCOPE');
      await expectProblem(cell.exportAudit('csv'), 403, 'TOKEN.INSUFFICIENT_SCOPE');
      await expectProblem(auto.auditVerify(), 403, 'TOKEN.INSUFFICIENT_SCOPE');
      await expectProblem(auto.createAuditCheckpoint(), 403, 'TOKEN.INSUFFICIENT_SCOPE');
      // Compliance officers may look at any dataset's usage.
      expect((await compliance.auditUsage({ dataset: 'battery.cfp' })).consumers.length).toBeGreaterThan(0);
    });

    it('gives the originator a signed receipt that verifies, and that the record still reproduces', async () => {
      const receipt = await cell.auditReceipts({ dataset: 'battery.cfp' });
      const newest = Math.max(...receipt.entries.map((e) => e.seq));
      expect(receipt.checkpoint.seq).toBeGreaterThanOrEqual(newest);
      expect(receipt.entries.length).toBeGreaterThan(5);
      expect(receipt.checkpoint.kid).toBe(newKid);
      // The originator checks the signature itself, against the platform's checkpoint keys.
      const claims = await verifyCheckpointSignature(
        receipt.checkpoint.jws,
        await cell.auditCheckpointKeys(),
      );
      expect(claims).toMatchObject({ seq: receipt.checkpoint.seq, hash: receipt.checkpoint.hash });
      // And the platform confirms the chain still reproduces it — and the one signed before the rotation.
      expect(await cell.auditVerify(receipt.checkpoint.jws)).toMatchObject({
        ok: true,
        code: null,
        supplied: { seq: receipt.checkpoint.seq, kid: newKid },
      });
      // A participant's check walks the chain only up to its checkpoint.
      expect(await auto.auditVerify(checkpointBeforeRotation.jws)).toMatchObject({
        ok: true,
        entries: checkpointBeforeRotation.seq,
        supplied: { seq: checkpointBeforeRotation.seq, kid: firstKid },
      });
      const latest = await auto.auditCheckpoint();
      expect(latest.seq).toBeGreaterThanOrEqual(receipt.checkpoint.seq);
    });

    it('refuses a forged or altered checkpoint', async () => {
      const { jws } = await cell.auditCheckpoint();
      const [h, payload, sig] = jws.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
      const altered = Buffer.from(JSON.stringify({ ...claims, seq: Number(claims.seq) + 1000 })).toString(
        'base64url',
      );
      await expectProblem(cell.auditVerify(`${h}.${altered}.${sig}`), 422, 'AUDIT.CHECKPOINT_INVALID');
      const forgedSig = `${sig!.slice(0, -4)}${sig!.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
      await expectProblem(cell.auditVerify(`${h}.${payload}.${forgedSig}`), 422, 'AUDIT.CHECKPOINT_INVALID');
    });
  });

  describe('what compliance officers see', () => {
    it('queries by participant, dataset, decision and time', async () => {
      const since = new Date(Date.now() - 10 * 60_000).toISOString();
      // A denied decision to find: the competitor may not publish the cell maker's dataset.
      await expectProblem(competitor.datasetToken('battery.cfp', 'publish'), 403, 'SUBJECT.NOT_OWNER');
      const denied = await compliance.auditEntries({
        dataset: 'battery.cfp',
        decision: 'deny',
        limit: '500',
      });
      expect(denied.items.length).toBeGreaterThan(0);
      expect(denied.items.some((e) => e.actor === ids.competitor && e.kind === 'decision')).toBe(true);
      for (const e of denied.items) expect(e.allow).toBe(false);
      const asParty = await compliance.auditEntries({ participant: ids.cell!, from: since, limit: '500' });
      // Decisions, tokens, grant changes: every kind of record is an object the document describes.
      await expectDocumented(platform.endpoints.clearing, 'GET /audit/entries', asParty);
      // The originator's dataset entries include what others did with it (it is the owner).
      expect(asParty.items.some((e) => e.actor === ids.auto && e.dataset === 'battery.cfp')).toBe(true);
      expect(asParty.items.some((e) => e.dataset === 'battery.cfp.tohoku')).toBe(false);
      const future = await compliance.auditEntries({ from: new Date(Date.now() + 3_600_000).toISOString() });
      expect(future.items).toEqual([]);
      await expectProblem(compliance.auditEntries({ limit: '501' }), 400, 'REQUEST.INVALID');
    });

    it('exports the record as CSV (RFC 4180, header row) matching the JSON export', async () => {
      const response = await fetch(
        `${platform.endpoints.clearing}/audit/entries?format=csv&dataset=battery.cfp`,
        { headers: { authorization: `Bearer ${await compliance.platformToken()}` } },
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(response.headers.get('content-disposition')).toMatch(
        /attachment; filename="renkei-audit-.*\.csv"/,
      );
      const csv = await response.text();
      expect(csv.endsWith('\r\n')).toBe(true);
      const [header, ...rows] = parseCsv(csv);
      expect(header).toEqual([
        'seq',
        'id',
        'kind',
        'at',
        'actor',
        'dataset',
        'grant',
        'allow',
        'action',
        'purpose',
        'reasons',
        'rule',
        'explanation',
        'policy_revision',
        'event_count',
        'hash',
        'prev_hash',
        'record',
      ]);
      const json = JSON.parse(await compliance.exportAudit('json', { dataset: 'battery.cfp' })) as {
        seq: number;
        hash: string;
        record: unknown;
      }[];
      const ndjson = (await compliance.exportAudit('ndjson', { dataset: 'battery.cfp' })).trim().split('\n');
      expect(rows).toHaveLength(json.length);
      expect(ndjson).toHaveLength(json.length);
      const column = (name: string) => header!.indexOf(name);
      rows.forEach((row, i) => {
        expect(row).toHaveLength(header!.length);
        expect(Number(row[0])).toBe(json[i]!.seq);
        expect(row[column('hash')]).toBe(json[i]!.hash);
        expect(JSON.parse(row[column('record')]!)).toEqual(json[i]!.record);
      });
      const delivery = rows.find((r) => r[column('action')] === 'deliver' && r[column('allow')] === 'true')!;
      expect(delivery).toBeDefined();
      expect(delivery[column('purpose')]).toBe('cfp-disclosure');
      expect(Number(delivery[column('event_count')])).toBeGreaterThan(0);
      expect(delivery[column('rule')]).toBe('ALLOW.DELIVER');
      expect(delivery[column('explanation')]).toMatch(
        /^participant '.+' may receive events of dataset 'battery.cfp'/,
      );
      const limited = parseCsv(await compliance.exportAudit('csv', { dataset: 'battery.cfp', limit: '2' }));
      expect(limited).toHaveLength(3);
    });

    it('verifies the whole chain against every stored checkpoint', async () => {
      const report = await compliance.auditVerify();
      expect(report).toMatchObject({ ok: true, code: null, firstBadSeq: null });
      expect(report.checkpointsChecked).toBeGreaterThan(0);
      expect(report.latestCheckpoint).not.toBeNull();
    });
  });
});
