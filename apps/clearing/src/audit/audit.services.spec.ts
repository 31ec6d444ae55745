import { text } from 'node:stream/consumers';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { concealedTarget, type PlatformProjection } from '@renkei/domain';
import type { PrismaClient } from '@renkei/persistence';
import { DatasetOwners } from '../datasets/dataset-owners.js';
import { memoryPrisma, memoryTables, type MemoryTables } from '../testing/memory-prisma.js';
import {
  AUTOMAKER,
  CELL_MAKER,
  DATASET,
  STRANGER,
  caller,
  contract,
  fixedClock,
  recordingSync,
  refusal,
  grantRow,
  projection,
} from '../testing/fixtures.js';
import { appendAudit, headsOf, type AuditAppend } from './audit-log.js';
import { AuditExportService, CSV_COLUMNS } from './audit-export.service.js';
import { AuditQueryService } from './audit-query.service.js';
import { AuditUsageService } from './audit-usage.service.js';
import { AuditVerifyService } from './audit-verify.service.js';
import { AuditQuerySchema, ReceiptsQuerySchema, UsageQuerySchema } from './audit.dto.js';
import type { AuditCheckpointer, CheckpointView } from './checkpoints.js';

const at = new Date('2026-11-21T09:00:00.000Z');
const entry = (over: Partial<AuditAppend>): AuditAppend => ({
  kind: 'decision',
  at,
  actorId: AUTOMAKER,
  dataset: DATASET,
  grantId: null,
  allow: true,
  payload: {},
  ...over,
});

/** A checkpointer whose stored checkpoint the spec sets; signing makes one over the current head. */
function checkpointsOver(tables: MemoryTables) {
  let latest: CheckpointView | null = null;
  const head = (): CheckpointView | null => {
    const last = tables.auditEntry.rows.at(-1);
    if (!last) return null;
    const seq = Number(last.seq);
    return {
      seq,
      hash: last.hash as string,
      entries: seq,
      kid: 'k1',
      jws: `jws-${seq}`,
      createdAt: at.toISOString(),
    };
  };
  const fake = {
    latest: vi.fn(() => Promise.resolve(latest)),
    checkpoint: vi.fn(() => {
      const made = head();
      const created = made !== null && made.seq !== latest?.seq;
      if (made) latest = made;
      return Promise.resolve({ checkpoint: made, created });
    }),
    verifyJws: vi.fn((jws: string) => {
      const seq = Number(jws.replace('jws-', ''));
      const row = tables.auditEntry.rows.find((r) => Number(r.seq) === seq);
      return Promise.resolve({
        seq,
        hash: (row?.hash as string) ?? 'f'.repeat(64),
        entries: seq,
        iat: 1,
        iss: 'x',
        kid: 'k1',
      });
    }),
    storedHeads: () =>
      headsOf(latest ? [{ seq: BigInt(latest.seq), hash: latest.hash, label: 'stored' }] : []),
    anchoredHeads: () => Promise.resolve(headsOf([])),
    verificationJwks: { keys: [] },
  };
  return fake as typeof fake & AuditCheckpointer;
}

describe('audit services', () => {
  let tables: MemoryTables;
  let prisma: PrismaClient;
  let state: PlatformProjection;
  let owners: DatasetOwners;
  let syncs: number[];
  let sync: (maxAgeMs?: number) => Promise<void>;
  let summary: unknown[];

  beforeEach(() => {
    const clock = fixedClock();
    tables = memoryTables(() => clock.now());
    summary = [];
    prisma = memoryPrisma(tables, () => summary);
    state = projection();
    state.apply({
      type: 'contract.published',
      contract: contract({ dataset: 'cell.yield', owner: STRANGER }),
    });
    const barrier = recordingSync();
    syncs = barrier.syncs;
    sync = barrier.sync;
    owners = new DatasetOwners(state, sync);
  });

  const append = (...entries: AuditAppend[]) => prisma.$transaction((tx) => appendAudit(tx, entries));

  describe('query', () => {
    const query = (q: Record<string, unknown>) =>
      new AuditQueryService(prisma, owners).query(AuditQuerySchema.parse(q));

    it('finds what a participant took part in: as actor, grant party, dataset owner, or claimed subject', async () => {
      const grant = grantRow({ consumerId: AUTOMAKER, originatorId: STRANGER, dataset: 'cell.yield' });
      tables.grant.rows.push(grant);
      await append(
        entry({ actorId: AUTOMAKER, dataset: null }),
        entry({ actorId: STRANGER, dataset: 'cell.yield', grantId: grant.id as string }),
        entry({ actorId: STRANGER, dataset: DATASET }),
        entry({
          kind: 'security.refusal',
          actorId: 'unauthenticated',
          dataset: null,
          payload: { claimed: { sub: AUTOMAKER } },
        }),
        entry({ actorId: STRANGER, dataset: 'cell.yield' }),
      );
      expect((await query({ participant: AUTOMAKER })).items.map((i) => i.seq)).toEqual([1, 2, 4]);
      // The cell maker owns battery.cfp: entries about it are its business, whoever acted.
      expect((await query({ participant: CELL_MAKER })).items.map((i) => i.seq)).toEqual([3]);
    });

    it('pages by seq and says where the next page starts', async () => {
      await append(...Array.from({ length: 5 }, () => entry({})));
      const first = await query({ limit: '2' });
      expect([first.items.map((i) => i.seq), first.next]).toEqual([[1, 2], 2]);
      const last = await query({ limit: '2', after: '4' });
      expect([last.items.map((i) => i.seq), last.next]).toEqual([[5], null]);
    });

    it('filters decisions by their answer and refusals by their code', async () => {
      await append(
        entry({ allow: false }),
        entry({ allow: true }),
        entry({ kind: 'security.refusal', allow: false, payload: { code: 'TOKEN.EXPIRED' } }),
      );
      expect((await query({ decision: 'deny' })).items.map((i) => i.seq)).toEqual([1, 3]);
      expect((await query({ code: 'TOKEN.EXPIRED' })).items.map((i) => i.seq)).toEqual([3]);
    });

    it('filters decisions by policy action, deciding rule and policy revision, composing with the cursor', async () => {
      const purpose = {
        code: 'PURPOSE.NOT_ALLOWED',
        message: "purpose 'marketing' is not among the contract's purposes pcf-reporting",
        params: { purpose: 'marketing', purposes: ['pcf-reporting'] },
      };
      const denial = (revision: string) =>
        entry({
          allow: false,
          payload: {
            action: 'grant.request',
            reasons: ['PURPOSE.NOT_ALLOWED'],
            rule: 'PURPOSE.NOT_ALLOWED',
            explanations: [purpose],
            policyRevision: revision,
          },
        });
      await append(
        denial('rego-1'),
        entry({
          payload: { action: 'subscribe', reasons: [], rule: 'ALLOW.SUBSCRIBE', policyRevision: 'rego-1' },
        }),
        denial('rego-2'),
        // Recorded before decisions named their rule: the rule is derived (first reason; ALLOW.<ACTION>).
        entry({
          allow: false,
          payload: { action: 'grant.request', reasons: ['PURPOSE.NOT_ALLOWED', 'ROLE.MISSING'] },
        }),
        entry({ payload: { action: 'grant.approve', reasons: [] } }),
        entry({ kind: 'security.refusal', allow: false, payload: { code: 'PURPOSE.NOT_ALLOWED' } }),
        denial('rego-2'),
      );
      const seqs = async (q: Record<string, unknown>) => (await query(q)).items.map((i) => i.seq);
      expect(await seqs({ rule: 'PURPOSE.NOT_ALLOWED' })).toEqual([1, 3, 4, 7]);
      expect(await seqs({ rule: 'ALLOW.SUBSCRIBE' })).toEqual([2]);
      expect(await seqs({ rule: 'ALLOW.GRANT_APPROVE' })).toEqual([5]);
      expect(await seqs({ action: 'grant.request' })).toEqual([1, 3, 4, 7]);
      expect(await seqs({ revision: 'rego-2' })).toEqual([3, 7]);
      expect(await seqs({ rule: 'PURPOSE.NOT_ALLOWED', revision: 'rego-2', after: '3' })).toEqual([7]);
      const page = await query({ rule: 'PURPOSE.NOT_ALLOWED', limit: '2' });
      expect([page.items.map((i) => i.seq), page.next]).toEqual([[1, 3], 3]);
      expect(
        (await query({ rule: 'PURPOSE.NOT_ALLOWED', after: String(page.next) })).items.map((i) => i.seq),
      ).toEqual([4, 7]);
      const [first] = (await query({ rule: 'PURPOSE.NOT_ALLOWED', limit: '1' })).items;
      expect(first).toMatchObject({
        action: 'grant.request',
        rule: 'PURPOSE.NOT_ALLOWED',
        explanation: purpose.message,
        policyRevision: 'rego-1',
        record: { explanations: [purpose] },
      });
      // Other kinds name no rule; an older decision has a rule but no recorded explanation.
      expect((await query({ kind: 'security.refusal' })).items[0]).toMatchObject({
        rule: null,
        explanation: null,
      });
      expect((await query({ after: '3', limit: '1' })).items[0]).toMatchObject({
        rule: 'PURPOSE.NOT_ALLOWED',
        explanation: null,
      });
    });

    it('refuses filters that are not an action, a rule or a revision', () => {
      for (const q of [
        { action: 'Grant Request' },
        { rule: 'purpose.not_allowed' },
        { rule: 'PURPOSE' },
        { revision: 'rego 1' },
      ])
        expect(AuditQuerySchema.safeParse(q).success, JSON.stringify(q)).toBe(false);
    });

    it('maps a person tag back only for the originator that recorded the person', async () => {
      const tag = `pr_${'a'.repeat(32)}`;
      tables.auditPersonKey.rows.push({ tag, originatorId: CELL_MAKER, subjectRef: 'pt-1', createdAt: at });
      const service = new AuditQueryService(prisma, owners);
      await expect(service.personOf(caller(CELL_MAKER), tag)).resolves.toEqual({
        tag,
        subjectRef: 'pt-1',
        since: at.toISOString(),
      });
      for (const [who, t] of [
        [AUTOMAKER, tag],
        [CELL_MAKER, 'not-a-tag'],
      ] as const)
        expect((await refusal(service.personOf(caller(who), t))).code).toBe('AUDIT.PERSON_NOT_FOUND');
    });
  });

  describe('export', () => {
    const exported = (q: Record<string, unknown>, format: 'csv' | 'json' | 'ndjson') =>
      text(
        new AuditExportService(prisma, new AuditQueryService(prisma, owners)).export(
          AuditQuerySchema.parse(q),
          format,
        ),
      );

    it("writes CSV with a header, the grant's purpose, and formulas made harmless", async () => {
      const grant = grantRow({ purpose: 'pcf-reporting' });
      tables.grant.rows.push(grant);
      await append(
        entry({ grantId: grant.id as string, payload: { action: '=cmd()', reasons: ['A', 'B'] } }),
      );
      const [header, line, end] = (await exported({}, 'csv')).split('\r\n');
      expect(header).toBe(CSV_COLUMNS.join(','));
      expect(line).toContain(`,'=cmd(),pcf-reporting,A B,`);
      expect(end).toBe('');
    });

    it('writes the rule and its explanation as CSV columns, and exports only what the rule filter matches', async () => {
      const message = "purpose 'marketing' is not among the contract's purposes a, b";
      await append(
        entry({ payload: { action: 'subscribe', reasons: [], rule: 'ALLOW.SUBSCRIBE' } }),
        entry({
          allow: false,
          payload: {
            action: 'grant.request',
            reasons: ['PURPOSE.NOT_ALLOWED'],
            rule: 'PURPOSE.NOT_ALLOWED',
            explanations: [{ code: 'PURPOSE.NOT_ALLOWED', message, params: {} }],
            policyRevision: 'rego-9',
          },
        }),
      );
      const [header, line, end] = (await exported({ rule: 'PURPOSE.NOT_ALLOWED' }, 'csv')).split('\r\n');
      const columns = header!.split(',');
      expect(columns.slice(columns.indexOf('reasons'), columns.indexOf('policy_revision') + 1)).toEqual([
        'reasons',
        'rule',
        'explanation',
        'policy_revision',
      ]);
      expect(line).toContain(`,PURPOSE.NOT_ALLOWED,PURPOSE.NOT_ALLOWED,"${message}",rego-9,`);
      expect(line!.startsWith('2,')).toBe(true);
      expect(end).toBe('');
      const ndjson = (await exported({ rule: 'ALLOW.SUBSCRIBE' }, 'ndjson')).trimEnd().split('\n');
      expect(ndjson.map((l) => JSON.parse(l) as { seq: number; rule: string })).toMatchObject([
        { seq: 1, rule: 'ALLOW.SUBSCRIBE' },
      ]);
    });

    it('streams every match across pages as one well-formed JSON array, and as NDJSON lines', async () => {
      await append(...Array.from({ length: 1001 }, () => entry({})));
      const array = JSON.parse(await exported({}, 'json')) as { seq: number }[];
      expect(array.map((e) => e.seq)).toEqual(Array.from({ length: 1001 }, (_, i) => i + 1));
      const lines = (await exported({ after: '999', limit: '2' }, 'ndjson')).trimEnd().split('\n');
      expect(lines.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([1000, 1001]);
    });
  });

  describe('usage and receipts', () => {
    const usage = (who: string, q: Record<string, unknown> = {}, scopes?: string[]) =>
      new AuditUsageService(prisma, sync, owners, checkpointsOver(tables)).usage(
        caller(who, scopes),
        UsageQuerySchema.parse(q),
      );

    it("shows an originator others' use of its datasets, not its own actions, with the grant's purpose", async () => {
      const grant = grantRow();
      tables.grant.rows.push(grant);
      await append(
        entry({ actorId: CELL_MAKER, payload: { action: 'publish' } }),
        entry({ kind: 'token.issued', grantId: grant.id as string, payload: {} }),
        entry({ grantId: grant.id as string, payload: { action: 'deliver', eventIds: ['e1', 'e2'] } }),
        entry({ dataset: 'cell.yield', payload: { action: 'deliver' } }),
      );
      summary = [
        {
          dataset: DATASET,
          consumer: AUTOMAKER,
          grants: [grant.id],
          purposes: ['other-purpose'],
          tokens: 1,
          deliveries: 1,
          events: 2,
          denied: 0,
          first_at: at,
          last_at: at,
        },
      ];
      const answer = await usage(CELL_MAKER);
      expect(answer.datasets).toEqual([DATASET]);
      expect(answer.items).toMatchObject([
        { seq: 2, action: 'token.issued', purpose: 'pcf-reporting', events: null },
        { seq: 3, action: 'deliver', purpose: 'pcf-reporting', events: 2 },
      ]);
      expect(answer.consumers).toMatchObject([
        { consumer: AUTOMAKER, purposes: ['pcf-reporting', 'other-purpose'], eventsDelivered: 2 },
      ]);
    });

    it("answers another originator's dataset like an unknown one, concealing only the one that exists", async () => {
      const foreign = await refusal(usage(CELL_MAKER, { dataset: 'cell.yield' }));
      expect(foreign.code).toBe('AUDIT.DATASET_NOT_FOUND');
      expect(concealedTarget(foreign)).toEqual({ type: 'dataset', id: 'cell.yield' });
      const unknown = await refusal(usage(CELL_MAKER, { dataset: 'cell.none' }));
      expect(concealedTarget(unknown)).toBeUndefined();
      // Both only after the projection was brought up to date.
      expect(syncs).toEqual([250, 0, 250, 0]);
    });

    it('lets compliance officers see any dataset they name, and asks them to name one', async () => {
      await expect(usage(STRANGER, { dataset: DATASET }, ['audit:read'])).resolves.toMatchObject({
        datasets: [DATASET],
      });
      const error = await refusal(usage(AUTOMAKER, {}, ['audit:read']));
      expect([error.code, error.kind]).toEqual(['REQUEST.INVALID', 'bad-request']);
    });

    it('signs a new checkpoint for a receipt when the stored one does not cover the newest entry', async () => {
      await append(entry({}), entry({ dataset: 'cell.yield' }));
      const checkpoints = checkpointsOver(tables);
      const service = new AuditUsageService(prisma, sync, owners, checkpoints);
      const receipt = await service.receipts(caller(CELL_MAKER), ReceiptsQuerySchema.parse({}));
      expect(checkpoints.checkpoint).toHaveBeenCalledOnce();
      expect(receipt.checkpoint).toMatchObject({ seq: 2 });
      expect(receipt.entries.map((e) => e.seq)).toEqual([1]);
      await append(entry({ dataset: 'cell.yield' }));
      await service.receipts(caller(CELL_MAKER), ReceiptsQuerySchema.parse({}));
      // Entry 3 is not about its datasets: the stored checkpoint still covers everything of the cell maker's.
      expect(checkpoints.checkpoint).toHaveBeenCalledOnce();
    });
  });

  describe('verify', () => {
    it('finds an entry changed after it was checkpointed', async () => {
      await append(entry({}), entry({}), entry({}));
      const checkpoints = checkpointsOver(tables);
      const verify = new AuditVerifyService(prisma, checkpoints);
      await verify.createCheckpoint();
      expect(await verify.verify()).toMatchObject({ ok: true, entries: 3, latestCheckpoint: { seq: 3 } });
      tables.auditEntry.rows[1] = { ...tables.auditEntry.rows[1], allow: false };
      expect(await verify.verify()).toMatchObject({ ok: false, code: 'AUDIT.MODIFIED', firstBadSeq: '2' });
    });

    it("walks a participant's check only up to its checkpoint, and names the checkpoint it was given", async () => {
      await append(entry({}), entry({}));
      const verify = new AuditVerifyService(prisma, checkpointsOver(tables));
      await append(entry({}));
      tables.auditEntry.rows[2] = { ...tables.auditEntry.rows[2], allow: false };
      expect(await verify.verify('jws-2', { upToSupplied: true })).toMatchObject({
        ok: true,
        entries: 2,
        supplied: { seq: 2, kid: 'k1' },
      });
      expect(await verify.verify('jws-2')).toMatchObject({ ok: false, firstBadSeq: '3' });
    });

    it('answers AUDIT.NO_CHECKPOINT while nothing has been recorded', async () => {
      const verify = new AuditVerifyService(prisma, checkpointsOver(tables));
      expect((await refusal(verify.latestCheckpoint())).code).toBe('AUDIT.NO_CHECKPOINT');
      expect((await refusal(verify.createCheckpoint())).code).toBe('AUDIT.NO_CHECKPOINT');
    });
  });
});
