/**
 * The compliance officer's journeys in the console, against the real services: find a denied decision,
 * read why, export it (CSV and NDJSON) and check the files; see security refusals in the same explorer;
 * sign and download a checkpoint; break an audit entry in the database and see verification point at it.
 * Every compliance page passes axe.
 */
import { readFile } from 'node:fs/promises';
import type { JWK } from 'jose';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient, verifyCheckpointSignature } from '@renkei/sdk';
import { automaker, batteryCfpContract, cellMaker, complianceOffice } from '../fixtures/battery-cfp.js';
import { expectProblem } from '../support/problems.js';
import { participantKey, publicJwk, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import {
  expectAccessible,
  keyFile,
  launchBrowser,
  newContext,
  screenshot,
  signIn,
} from './support/browser.js';

/** RFC 4180, as the test's own independent reading of the export. */
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

describe('console: the compliance officer', () => {
  let env: TestPlatform;
  let browser: Browser;
  let page: Page;
  let consoleUrl: string;
  let compliance: RenkeiClient;
  const keys: Record<string, JWK> = {};
  const ids: Record<string, string> = {};
  /** The seq of the denied grant request (purpose not in the contract). */
  let deniedSeq: number;

  beforeAll(async () => {
    env = await startTestPlatform('browser-compliance', 4821, { console: true });
    consoleUrl = env.platform.endpoints.console!;
    for (const name of ['cell', 'auto', 'compliance']) keys[name] = await participantKey(`${name}-key-1`);
    const [cell, auto, office] = await Promise.all([
      env.admin.onboard({ ...cellMaker, jwks: { keys: [publicJwk(keys.cell!)] } }),
      env.admin.onboard({ ...automaker, jwks: { keys: [publicJwk(keys.auto!)] } }),
      env.admin.onboard({ ...complianceOffice, jwks: { keys: [publicJwk(keys.compliance!)] } }),
    ]);
    ids.cell = cell.id;
    ids.auto = auto.id;
    ids.compliance = office.id;
    const client = (name: string) =>
      new RenkeiClient(env.platform.endpoints, { clientId: ids[name]!, privateJwk: keys[name]! });
    const cellClient = client('cell');
    const autoClient = client('auto');
    compliance = client('compliance');
    await cellClient.registerContract(batteryCfpContract);
    // An allowed request and approval, and a request for a purpose the contract does not name: denied.
    const granted = await autoClient.requestGrant({ dataset: 'battery.cfp', purpose: 'cfp-disclosure' });
    await cellClient.approveGrant(granted.id);
    await expectProblem(
      autoClient.requestGrant({ dataset: 'battery.cfp', purpose: 'price-benchmarking' }),
      403,
      'PURPOSE.NOT_ALLOWED',
    );
    // A person's opt-out the cell maker records: the overview shows the pseudonymous reference only.
    await cellClient.optOut('pt-7f3a91', 'battery.cfp');
    // A security refusal: a token that is not one.
    const refused = await fetch(`${env.platform.endpoints.clearing}/grants`, {
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(refused.status).toBe(401);
    const denied = await compliance.auditEntries({ kind: 'decision', decision: 'deny', limit: '500' });
    const entry = denied.items.find(
      (e) => (e.record as { action?: string }).action === 'grant.request' && e.actor === ids.auto,
    );
    expect(entry).toBeDefined();
    deniedSeq = entry!.seq;

    browser = await launchBrowser();
    page = await (await newContext(browser)).newPage();
    page.setDefaultTimeout(15_000);
    await signIn(page, consoleUrl, keyFile(ids.compliance, keys.compliance!, complianceOffice.legalName));
  });
  /** Follows a menu entry of the navigation bar. */
  const go = (name: string) =>
    page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name, exact: true })
      .click();

  afterAll(async () => {
    await browser?.close();
    await env?.stop();
  });

  it('finds the denied decision by its filters, and the filters are a shareable link', async () => {
    await go('Decisions');
    await page.getByRole('heading', { level: 1, name: 'Decision explorer' }).waitFor();
    await page.getByTestId('entry-row').first().waitFor();
    await expectAccessible(page, 'compliance decisions');
    await page.getByLabel('Dataset').fill('battery.cfp');
    await page.getByRole('combobox', { name: 'Action' }).fill('grant.request');
    await page.getByLabel('Deciding rule').fill('PURPOSE.NOT_ALLOWED');
    await page.getByRole('combobox', { name: 'Result' }).click();
    await page.getByRole('option', { name: 'Denied' }).click();
    await page.getByTestId('apply-filters').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('decision')).toBe('deny');
    expect(new URL(page.url()).searchParams.get('dataset')).toBe('battery.cfp');
    expect(new URL(page.url()).searchParams.get('rule')).toBe('PURPOSE.NOT_ALLOWED');
    const row = page.locator(`[data-testid=entry-row][data-seq="${deniedSeq}"]`);
    await row.waitFor();
    // Only denials are listed, each with its deciding rule.
    const results = await page.getByTestId('entry-row').locator('[role=cell]:nth-child(6)').allTextContents();
    expect(results.length).toBeGreaterThan(0);
    expect(new Set(results)).toEqual(new Set(['Denied']));
    expect(await row.textContent()).toContain('PURPOSE.NOT_ALLOWED');
    await screenshot(page, 'compliance-decisions');
    // A colleague opening the address (and signing in there) sees the same view.
    const context = await newContext(browser);
    const shared = await context.newPage();
    await shared.goto(page.url());
    await shared
      .locator('input[type=file]')
      .setInputFiles(keyFile(ids.compliance!, keys.compliance!, complianceOffice.legalName));
    await shared.getByTestId('sign-in').click();
    await shared.locator(`[data-testid=entry-row][data-seq="${deniedSeq}"]`).waitFor();
    expect(await shared.getByLabel('Dataset').inputValue()).toBe('battery.cfp');
    await context.close();
  });

  it('opens the decision: input, result, obligations, revision and why', async () => {
    await page.locator(`[data-testid=entry-row][data-seq="${deniedSeq}"]`).getByTestId('open-entry').click();
    const detail = page.getByTestId('entry-detail');
    await detail.waitFor();
    expect(new URL(page.url()).searchParams.get('entry')).toBe(String(deniedSeq));
    expect(await detail.getByTestId('entry-rule').first().textContent()).toBe('PURPOSE.NOT_ALLOWED');
    const why = (await detail.getByTestId('entry-explanation').textContent()) ?? '';
    expect(why.length).toBeGreaterThan(10);
    const full = (await compliance.auditEntries({ after: String(deniedSeq - 1), limit: '1' })).items[0]!;
    const explanations = (full.record as { explanations?: { message: string }[] }).explanations;
    // Once decisions explain themselves (the policy's explanation), the drawer says it in words that name
    // the refused purpose; before, it names the reason codes.
    if (explanations?.length) expect(why).toContain('price-benchmarking');
    else expect(why).toContain('PURPOSE.NOT_ALLOWED');
    expect(await detail.getByTestId('entry-input').textContent()).toContain('price-benchmarking');
    expect(await detail.getByTestId('entry-obligations').isVisible()).toBe(true);
    const revision = (full.record as { policyRevision: string }).policyRevision;
    expect(await detail.textContent()).toContain(revision);
    await expectAccessible(page, 'compliance decision detail');
    await screenshot(page, 'compliance-decision-detail');
    await page.getByRole('button', { name: 'Close the entry' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('entry')).toBeNull();
  });

  it('exports what the filters show as CSV, and the file holds the denied decision', async () => {
    const download = page.waitForEvent('download');
    await page.getByTestId('export-csv').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^renkei-audit-.*\.csv$/);
    const csv = await readFile(await file.path(), 'utf8');
    const [header, ...rows] = parseCsv(csv);
    expect(header).toEqual(expect.arrayContaining(['seq', 'kind', 'allow', 'action', 'purpose', 'reasons']));
    const col = (name: string) => header!.indexOf(name);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r[col('allow')]).toBe('false');
      expect(r[col('dataset')]).toBe('battery.cfp');
      expect(r[col('action')]).toBe('grant.request');
    }
    const ours = rows.find((r) => Number(r[col('seq')]) === deniedSeq)!;
    expect(ours).toBeDefined();
    expect(ours[col('purpose')]).toBe('price-benchmarking');
    expect(ours[col('reasons')]).toContain('PURPOSE.NOT_ALLOWED');
    await expect
      .poll(() => page.getByTestId('export-status').textContent())
      .toMatch(new RegExp(`Saved .*\\.csv: ${rows.length} entr(y|ies), [\\d.]+ k?B`));
  });

  it('exports the same entries as NDJSON', async () => {
    const download = page.waitForEvent('download');
    await page.getByTestId('export-ndjson').click();
    const file = await download;
    const lines = (await readFile(await file.path(), 'utf8')).trim().split('\n');
    const entries = lines.map(
      (l) => JSON.parse(l) as { seq: number; allow: boolean; record: { action: string } },
    );
    expect(entries.some((e) => e.seq === deniedSeq)).toBe(true);
    for (const e of entries) expect([e.allow, e.record.action]).toEqual([false, 'grant.request']);
  });

  it('shows security refusals in the same explorer', async () => {
    await page.getByTestId('kind-switch').getByText('Security refusals').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('kind')).toBe('security.refusal');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    const row = page.getByTestId('entry-row').filter({ hasText: 'TOKEN.MALFORMED' }).first();
    // The refusal is aggregated and recorded within about a second; Refresh reads it.
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          await page.waitForTimeout(500);
          return row.count();
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .toBeGreaterThan(0);
    await row.getByTestId('open-entry').click();
    const detail = page.getByTestId('entry-detail');
    await detail.waitFor();
    expect(await detail.getByTestId('entry-rule').textContent()).toBe('TOKEN.MALFORMED');
    await expectAccessible(page, 'compliance security refusal');
    await page.getByRole('button', { name: 'Close the entry' }).click();
  });

  it('signs a checkpoint and downloads it: a JWS the platform’s keys verify', async () => {
    await go('Checkpoints');
    await page.getByTestId('checkpoint').waitFor();
    await page.getByTestId('checkpoint-create').click();
    await page.getByTestId('checkpoint-created').waitFor();
    await expectAccessible(page, 'compliance checkpoints');
    const shown = (await page.getByTestId('checkpoint-jws').textContent())!.trim();
    const download = page.waitForEvent('download');
    await page.getByTestId('checkpoint-download').click();
    const file = await download;
    const jws = (await readFile(await file.path(), 'utf8')).trim();
    expect(jws).toBe(shown);
    const claims = await verifyCheckpointSignature(jws, await compliance.auditCheckpointKeys());
    expect(file.suggestedFilename()).toBe(`renkei-checkpoint-${claims.seq}.jws`);
    expect(claims.seq).toBeGreaterThanOrEqual(deniedSeq);
  });

  it('lists deletion obligations, overdue first, and the persons’ consent overview', async () => {
    await go('Deletion obligations');
    const main = page.getByRole('main');
    await main.getByRole('heading', { level: 2, name: /Overdue/ }).waitFor();
    const headings = await main.getByRole('heading', { level: 2 }).allTextContents();
    expect(headings[0]).toMatch(/^Overdue/);
    await page.getByTestId('overdue-empty').or(page.getByTestId('overdue')).waitFor();
    await expectAccessible(page, 'compliance deletion obligations');
    await go('Persons’ consents');
    await page.getByRole('heading', { level: 1, name: 'Persons’ consents' }).waitFor();
    const records = page.getByTestId('consent-records');
    await records.waitFor();
    expect(await records.getByTestId('subject-ref').allTextContents()).toEqual(['pt-7f3a91']);
    const text = (await records.textContent()) ?? '';
    expect(text).toContain(cellMaker.legalName);
    expect(text).toContain('Opt-out');
    expect(await page.getByTestId('consent-counts').textContent()).toContain('battery.cfp');
    await expectAccessible(page, 'compliance persons’ consents');
  });

  it('verifies the intact chain, then points at the entry broken in the database', async () => {
    await go('Chain verification');
    await page.getByTestId('verify-run').click();
    const result = page.getByTestId('verify-result');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.getAttribute('data-ok')).toBe('true');
    expect(await result.textContent()).toContain('The chain is intact');
    await expectAccessible(page, 'compliance verify (intact)');

    // Someone with database access rewrites the denied decision into an allow.
    const db = new pg.Client({ connectionString: env.databaseUrl });
    await db.connect();
    try {
      // The table's owner can switch off the append-only triggers, as an attacker with that access would.
      await db.query('BEGIN');
      await db.query('ALTER TABLE clearing.audit_log DISABLE TRIGGER USER');
      const changed = await db.query(
        `UPDATE clearing.audit_log SET allow = true, payload = jsonb_set(payload, '{allow}', 'true') WHERE seq = $1`,
        [deniedSeq],
      );
      expect(changed.rowCount).toBe(1);
      await db.query('ALTER TABLE clearing.audit_log ENABLE TRIGGER USER');
      await db.query('COMMIT');
    } finally {
      await db.end();
    }

    await page.getByTestId('verify-run').click();
    await expect.poll(() => result.getAttribute('data-ok'), { timeout: 30_000 }).toBe('false');
    expect(await result.textContent()).toContain(`The chain is broken at entry ${deniedSeq}`);
    expect(await page.getByTestId('verify-problem').textContent()).toContain(
      `entry ${deniedSeq} does not match its hash`,
    );
    expect(await result.textContent()).toContain('AUDIT.MODIFIED');
    await expectAccessible(page, 'compliance verify (broken)');
    await screenshot(page, 'compliance-verify');
    // The link opens the broken entry, as it now reads.
    await page.getByTestId('verify-open-entry').click();
    const detail = page.getByTestId('entry-detail');
    await detail.waitFor();
    expect(new URL(page.url()).searchParams.get('entry')).toBe(String(deniedSeq));
    expect(await page.getByTestId('entry-drawer').textContent()).toContain(`Audit entry ${deniedSeq}`);
    expect(await detail.getByTestId('entry-input').textContent()).toContain('price-benchmarking');
  });
});
