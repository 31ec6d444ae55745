/**
 * Deletion when a grant ends, end to end over HTTP with the four services running as processes: a
 * revocation opens the consumer's deletion obligation with its deadline, the consumer confirms with a
 * receipt signed by its own key and the originator sees it; a grant whose validity runs out expires by
 * itself (its open stream ends), and the obligation it leaves is flagged to compliance once overdue.
 * Everything lands on the audit chain.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RenkeiClient,
  RenkeiError,
  signDeletionReceipt,
  type DeletionObligation,
  type DeletionReceiptInput,
  type StreamLine,
} from '@renkei/sdk';
import { expectDocumented } from '../support/openapi-conformance.js';
import { expectProblem } from '../support/problems.js';
import {
  participantKey as newKey,
  publicJwk,
  repoRoot,
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

const DAY_MS = 86_400_000;
const run = promisify(execFile);

type AuditItem = Awaited<ReturnType<RenkeiClient['auditEntries']>>['items'][number];

describe('deletion obligations when a grant ends', () => {
  let env: TestPlatform;
  let cell: RenkeiClient;
  let auto: RenkeiClient;
  let compliance: RenkeiClient;
  let competitor: RenkeiClient;
  const keys: Record<string, JWK> = {};
  const ids: Record<string, string> = {};
  const dir = mkdtempSync(join(tmpdir(), 'renkei-deletion-'));

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
    return JSON.parse(stdout) as unknown;
  };

  /** An approved grant of battery.cfp to the automaker. */
  async function grantToAuto(terms: { deletionDays: number; validUntil?: string }) {
    const requested = await auto.requestGrant({
      dataset: 'battery.cfp',
      purpose: 'cfp-disclosure',
      validUntil: terms.validUntil ?? null,
      deletionDays: terms.deletionDays,
    });
    expect((await cell.approveGrant(requested.id)).state).toBe('granted');
    return requested.id;
  }

  const obligationFor = async (client: RenkeiClient, grant: string) =>
    (await client.deletionObligations({ grant }))[0];

  beforeAll(async () => {
    env = await startTestPlatform('e2e-deletion', 4181);
    for (const name of ['cell', 'auto', 'compliance', 'competitor'])
      keys[name] = await newKey(`${name}-key-1`);
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('onboards a cell maker, an automaker, a competitor and the compliance office; the cell maker registers battery.cfp', async () => {
    const { admin, platform } = env;
    const onboarded = await Promise.all(
      (
        [
          ['cell', cellMaker],
          ['auto', automaker],
          ['compliance', complianceOffice],
          ['competitor', competitorCellMaker],
        ] as const
      ).map(([name, fixture]) => admin.onboard({ ...fixture, jwks: { keys: [publicJwk(keys[name]!)] } })),
    );
    ['cell', 'auto', 'compliance', 'competitor'].forEach((name, i) => (ids[name] = onboarded[i]!.id));
    const as = (name: string) =>
      new RenkeiClient(platform.endpoints, { clientId: ids[name]!, privateJwk: keys[name]! });
    [cell, auto, compliance, competitor] = [as('cell'), as('auto'), as('compliance'), as('competitor')];
    expect(await cell.registerContract(batteryCfpContract)).toMatchObject({ status: 'active' });
  });

  describe('revocation', () => {
    let grantId: string;
    let obligation: DeletionObligation;
    let revokedAt: string;

    it('opens the consumer’s deletion obligation, due deletionDays after the revocation', async () => {
      grantId = await grantToAuto({ deletionDays: 3 });
      // The answer is the whole grant; the SDK types only id and state.
      const revoked = (await cell.revokeGrant(grantId, 'supplier contract ended')) as unknown as {
        state: string;
        updatedAt: string;
      };
      expect(revoked.state).toBe('revoked');
      revokedAt = revoked.updatedAt;
      // Opened in the transaction that revoked the grant: there as soon as the revocation is answered.
      const mine = await auto.deletionObligations({ role: 'consumer', status: 'open' });
      expect(mine).toHaveLength(1);
      obligation = mine[0]!;
      expect(obligation).toMatchObject({
        grant: grantId,
        consumer: ids.auto,
        originator: ids.cell,
        dataset: 'battery.cfp',
        cause: 'revoked',
        status: 'open',
        late: false,
        flaggedAt: null,
        receipt: null,
      });
      expect(Date.parse(obligation.dueAt) - Date.parse(revokedAt)).toBe(3 * DAY_MS);
    });

    it('is visible to the originator, and to nobody else', async () => {
      expect(await cell.deletionObligations({ role: 'originator' })).toEqual([obligation]);
      expect(await cell.deletionObligations({ role: 'consumer' })).toEqual([]);
      await expectProblem(competitor.deletionObligation(obligation.id), 404, 'DELETION.NOT_FOUND');
      expect(await competitor.deletionObligations()).toEqual([]);
      await expectProblem(auto.overdueDeletions(), 403, 'TOKEN.INSUFFICIENT_SCOPE');
    });

    it('opens none for a request withdrawn before approval: nothing was delivered', async () => {
      const requested = await auto.requestGrant({ dataset: 'battery.cfp', purpose: 'due-diligence' });
      await auto.revokeGrant(requested.id, 'no longer needed');
      expect(await auto.deletionObligations({ grant: requested.id })).toEqual([]);
    });

    it('refuses a receipt signed by another participant’s key, naming what is wrong', async () => {
      const receipt: DeletionReceiptInput = {
        consumer: ids.auto!,
        obligation: obligation.id,
        grant: grantId,
        dataset: 'battery.cfp',
        method: 'crypto-erase',
      };
      const forged = await signDeletionReceipt(keys.competitor!, receipt);
      const error = await expectProblem(
        auto.submitDeletionReceipt(obligation.id, forged),
        400,
        'DELETION.RECEIPT_INVALID',
      );
      expect(error.problem.errors).toEqual([
        expect.objectContaining({ path: '/receipt', check: 'signature' }),
      ]);
      expect(error.detail).toContain(ids.auto);
      // The consumer's own key, but about another obligation.
      const elsewhere = await signDeletionReceipt(keys.auto!, { ...receipt, obligation: grantId });
      const wrongSub = await expectProblem(
        auto.submitDeletionReceipt(obligation.id, elsewhere),
        400,
        'DELETION.RECEIPT_INVALID',
      );
      expect(wrongSub.problem.errors).toEqual([expect.objectContaining({ check: 'sub' })]);
      // The originator cannot confirm on the consumer's behalf, whatever it signs.
      await expectProblem(
        cell.confirmDeletion(obligation.id, { method: 'delete' }),
        403,
        'DELETION.NOT_CONSUMER',
      );
      expect((await auto.deletionObligation(obligation.id)).status).toBe('open');
    });

    it('is confirmed by the consumer with a receipt signed by its own key, which the originator sees', async () => {
      const confirmed = await auto.confirmDeletion(obligation.id, { method: 'crypto-erase' });
      // The receipt's claims are the ones the document describes (the SDK's DeletionReceiptClaims).
      await expectDocumented(env.platform.endpoints.clearing, 'GET /deletion-obligations/{id}', confirmed);
      expect(confirmed.receipt?.claims.method).toBe('crypto-erase');
      expect(confirmed).toMatchObject({
        id: obligation.id,
        status: 'confirmed',
        late: false,
        flaggedAt: null,
        confirmedAt: expect.any(String),
        receipt: {
          jws: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
          claims: {
            iss: ids.auto,
            sub: obligation.id,
            grant: grantId,
            dataset: 'battery.cfp',
            method: 'crypto-erase',
            scope: 'all-copies',
            deletedAt: expect.any(String),
            jti: expect.any(String),
            iat: expect.any(Number),
          },
        },
      });
      expect(await cell.deletionObligation(obligation.id)).toEqual(confirmed);
      await expectProblem(
        auto.confirmDeletion(obligation.id, { method: 'crypto-erase' }),
        409,
        'DELETION.ALREADY_CONFIRMED',
      );
    });

    it('is on the audit chain: the obligation and the receipt with its claims', async () => {
      const { items } = await compliance.auditEntries({ grant: grantId, limit: '500' });
      const byKind = (kind: string) => items.filter((e) => e.kind === kind);
      expect(byKind('deletion.obligation')).toEqual([
        expect.objectContaining({
          actor: ids.cell,
          dataset: 'battery.cfp',
          record: expect.objectContaining({
            obligationId: obligation.id,
            cause: 'revoked',
            deletionDays: 3,
            dueAt: obligation.dueAt,
          }),
        }),
      ]);
      expect(byKind('deletion.receipt')).toEqual([
        expect.objectContaining({
          actor: ids.auto,
          record: expect.objectContaining({
            obligationId: obligation.id,
            late: false,
            kid: 'auto-key-1',
            claims: expect.objectContaining({ sub: obligation.id, method: 'crypto-erase' }),
            receipt: expect.any(String),
          }),
        }),
      ]);
    });
  });

  describe('expiry', () => {
    let grantId: string;
    let validUntil: string;
    let obligation: DeletionObligation;

    it('ends a grant by itself at validUntil, and its open stream with it', async () => {
      validUntil = new Date(Date.now() + 4_000).toISOString();
      grantId = await grantToAuto({ deletionDays: 0, validUntil });
      const stream = await auto.stream(
        'battery.cfp',
        await auto.datasetToken('battery.cfp', 'subscribe', grantId),
      );
      let end: StreamLine | null = null;
      const deadline = Date.now() + 15_000;
      while (!end && Date.now() < deadline) {
        const line = await stream.read(deadline - Date.now());
        if (line?.type === 'end') end = line;
      }
      stream.close();
      // The exchange ends the stream at validUntil on its own clock (GRANT.EXPIRED), or on the grant's
      // move to expired (GRANT.NOT_ACTIVE), whichever comes first.
      expect(end).toMatchObject({ type: 'end' });
      expect(['GRANT.EXPIRED', 'GRANT.NOT_ACTIVE']).toContain((end as { code: string }).code);
      const grant = (await eventually(
        async () => (await auto.grants()).find((g) => g.id === grantId),
        (g) => g?.state === 'expired',
      )) as unknown as { state: string; updatedAt: string };
      expect(grant.state).toBe('expired');
      // Expiry takes effect within a second of the end of validity.
      const lag = Date.parse(grant.updatedAt) - Date.parse(validUntil);
      expect(lag).toBeGreaterThanOrEqual(0);
      expect(lag).toBeLessThan(1_000);
      const refused = await auto.datasetToken('battery.cfp', 'subscribe', grantId).then(
        () => null,
        (e: RenkeiError) => e,
      );
      expect(refused).toMatchObject({ status: 403 });
      expect(['GRANT.NOT_ACTIVE', 'GRANT.EXPIRED']).toContain(refused?.code);
    });

    it('leaves an obligation due at validUntil that becomes overdue and is flagged to compliance', async () => {
      obligation = (await eventually(
        () => obligationFor(auto, grantId),
        (o) => o?.status === 'overdue',
      ))!;
      expect(obligation).toMatchObject({
        cause: 'expired',
        status: 'overdue',
        late: true,
        flaggedAt: expect.any(String),
        dueAt: validUntil,
      });
      const flagged = await compliance.overdueDeletions();
      expect(flagged.map((o) => o.id)).toEqual([obligation.id]);
      expect(flagged[0]).toMatchObject({ consumer: ids.auto, originator: ids.cell, status: 'overdue' });
      const viaCli = (await cli('compliance', ['deletion', 'overdue'])) as DeletionObligation[];
      expect(viaCli.map((o) => o.id)).toEqual([obligation.id]);
    });

    it('accepts a late receipt, and the obligation stays flagged as late', async () => {
      const confirmed = (await cli('auto', [
        'deletion',
        'confirm',
        obligation.id,
        '--method',
        'overwrite',
      ])) as DeletionObligation;
      expect(confirmed).toMatchObject({
        status: 'confirmed',
        late: true,
        flaggedAt: obligation.flaggedAt,
        receipt: { claims: { method: 'overwrite', sub: obligation.id } },
      });
      expect(await compliance.overdueDeletions()).toEqual([]);
      expect((await compliance.overdueDeletions({ status: 'confirmed' })).map((o) => o.id)).toEqual([
        obligation.id,
      ]);
      expect(await cell.deletionObligation(obligation.id)).toMatchObject({ status: 'confirmed', late: true });
    });

    it('is on the audit chain: expiry by the clearing service, obligation, overdue flag (once) and late receipt', async () => {
      const items: AuditItem[] = (await compliance.auditEntries({ grant: grantId, limit: '500' })).items;
      const byKind = (kind: string) => items.filter((e) => e.kind === kind);
      expect(byKind('grant.changed').map((e) => e.record)).toContainEqual(
        expect.objectContaining({ from: 'granted', to: 'expired', reason: 'validity ended' }),
      );
      expect(byKind('grant.changed').find((e) => e.record.to === 'expired')?.actor).toBe('renkei-clearing');
      expect(byKind('deletion.obligation')).toEqual([
        expect.objectContaining({
          actor: 'renkei-clearing',
          record: expect.objectContaining({ cause: 'expired', endedAt: validUntil, dueAt: validUntil }),
        }),
      ]);
      expect(byKind('deletion.overdue')).toEqual([
        expect.objectContaining({
          actor: 'renkei-clearing',
          record: expect.objectContaining({ obligationId: obligation.id, flaggedAt: obligation.flaggedAt }),
        }),
      ]);
      expect(byKind('deletion.receipt')).toEqual([
        expect.objectContaining({ actor: ids.auto, record: expect.objectContaining({ late: true }) }),
      ]);
      // Compliance finds every overdue flag by kind, across grants.
      const flags = (await compliance.auditEntries({ kind: 'deletion.overdue', limit: '500' })).items;
      expect(flags.map((e) => e.record.obligationId)).toEqual([obligation.id]);
      expect(await compliance.auditVerify()).toMatchObject({ ok: true, problem: null });
    });
  });
});
