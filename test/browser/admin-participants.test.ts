/**
 * The consortium admin's participant list in the browser: search and filters, suspension with a reason and
 * reactivation, offboarding that first shows what it will do to the participant's grants (and then does it),
 * and the platform's signing keys with a rotation. The platform is seeded with the SDK; everything the admin
 * does goes through the console.
 */
import type { JWK } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient } from '@renkei/sdk';
import {
  automaker,
  batteryCfpContract,
  cellMaker,
  competitorCellMaker,
  complianceOffice,
} from '../fixtures/battery-cfp.js';
import { participantKey, publicJwk, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import {
  expectAccessible,
  keyFile,
  launchBrowser,
  newContext,
  screenshot,
  signIn,
} from './support/browser.js';

const ADMIN_ID = 'consortium-admin';

describe('console: participants (admin)', () => {
  let env: TestPlatform;
  let browser: Browser;
  let page: Page;
  let consoleUrl: string;
  const ids: Record<string, string> = {};
  const clients: Record<string, RenkeiClient> = {};
  let grantToAuto: string;
  let requestByCompetitor: string;

  /** What the registry holds, read with the admin's own token (not through the console). */
  const registryStatus = async (id: string) => {
    const res = await fetch(`${env.platform.endpoints.registry}/participants/${id}`, {
      headers: { authorization: `Bearer ${await env.admin.platformToken()}` },
    });
    return ((await res.json()) as { status: string }).status;
  };
  const row = (name: string) => page.getByTestId('participant-row').filter({ hasText: name });
  const statusOf = (name: string) => row(name).getByTestId('participant-status').textContent();

  beforeAll(async () => {
    env = await startTestPlatform('browser-admin-participants', 4816, { console: true });
    consoleUrl = env.platform.endpoints.console!;
    const fixtures = {
      cell: cellMaker,
      auto: automaker,
      competitor: competitorCellMaker,
      compliance: complianceOffice,
    };
    const keys: Record<string, JWK> = {};
    for (const [name, fixture] of Object.entries(fixtures)) {
      keys[name] = await participantKey(`${name}-1`);
      ids[name] = (await env.admin.onboard({ ...fixture, jwks: { keys: [publicJwk(keys[name])] } })).id;
      clients[name] = new RenkeiClient(env.platform.endpoints, {
        clientId: ids[name],
        privateJwk: keys[name],
      });
    }
    await clients.cell!.registerContract(batteryCfpContract);
    const granted = await clients.auto!.requestGrant({
      dataset: 'battery.cfp',
      purpose: 'cfp-disclosure',
      validUntil: null,
      deletionDays: 30,
    });
    grantToAuto = granted.id;
    await clients.cell!.approveGrant(grantToAuto);
    requestByCompetitor = (
      await clients.competitor!.requestGrant({
        dataset: 'battery.cfp',
        purpose: 'due-diligence',
        validUntil: null,
        deletionDays: 30,
      })
    ).id;

    browser = await launchBrowser();
    page = await (await newContext(browser)).newPage();
    await signIn(page, consoleUrl, keyFile(ADMIN_ID, env.secrets.adminKey, 'Consortium admin'));
  });
  afterAll(async () => {
    await browser?.close();
    await env?.stop();
  });

  it('lists every participant with status, roles, industry, country and protection; search and filters narrow it', async () => {
    await page.getByRole('link', { name: 'Participants' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Participants' }).waitFor();
    await expect.poll(() => page.getByTestId('participant-row').count()).toBe(4);
    const auto = (await row(automaker.legalName).textContent()) ?? '';
    expect(auto).toContain('Active');
    expect(auto).toContain('Member');
    expect(auto).toContain('automotive');
    expect(auto).toContain('Japan');
    expect(auto).toContain('Access control');
    expect(auto).toContain(automaker.corporateNumber);

    await page.getByTestId('participant-search').fill('chubu');
    await expect.poll(() => page.getByTestId('participant-row').count()).toBe(1);
    await page.getByTestId('participant-search').fill(cellMaker.corporateNumber);
    await expect
      .poll(() => page.getByTestId('participant-row').allTextContents())
      .toEqual([expect.stringContaining(cellMaker.legalName)]);
    await page.getByTestId('participant-search').fill('');
    await page.getByRole('combobox', { name: 'Role' }).click();
    await page.getByRole('option', { name: 'Compliance officer' }).click();
    await expect
      .poll(() => page.getByTestId('participant-row').allTextContents())
      .toEqual([expect.stringContaining(complianceOffice.legalName)]);
    await page.getByRole('combobox', { name: 'Role' }).click();
    await page.getByRole('option', { name: 'Compliance officer' }).click(); // deselects
    await expect.poll(() => page.getByTestId('participant-row').count()).toBe(4);
    await expectAccessible(page, 'admin participants');
    await screenshot(page, 'admin-participants');
  });

  it('suspends a participant with a reason, and reactivates it', async () => {
    const name = competitorCellMaker.legalName;
    await page.getByRole('button', { name: `Actions for ${name}` }).click();
    await page.getByRole('menuitem', { name: 'Suspend' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await page.getByTestId('confirm-status').isDisabled()).toBe(true); // a reason first
    await page.getByTestId('status-reason').fill('Audit finding 2026-12: access logs not kept');
    await expectAccessible(page, 'admin suspend dialog');
    await page.getByTestId('confirm-status').click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => statusOf(name)).toBe('Suspended');
    expect(await registryStatus(ids.competitor!)).toBe('suspended');

    await page.getByRole('button', { name: `Actions for ${name}` }).click();
    await page.getByRole('menuitem', { name: 'Reactivate' }).click();
    await page.getByTestId('confirm-status').click();
    await expect.poll(() => statusOf(name)).toBe('Active');
    expect(await registryStatus(ids.competitor!)).toBe('active');
  });

  it('re-attests a participant: a renewed health-data-handler certificate with evidence and expiry', async () => {
    const name = automaker.legalName;
    await page.getByRole('button', { name: `Actions for ${name}` }).click();
    await page.getByRole('menuitem', { name: 'Attestations' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByLabel('Field encryption').check();
    await dialog.getByLabel('Health-data handler').check();
    const save = page.getByTestId('save-attestations');
    expect(await save.isDisabled()).toBe(true); // evidence and expiry first
    await dialog.getByLabel('Evidence').fill('https://example.org/certificates/nmi-2026-0077');
    await dialog.getByLabel('Valid until').fill('2031-03-31');
    await expectAccessible(page, 'admin attestations dialog');
    await save.click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => row(name).textContent()).toContain('Health-data handler');
    expect(await row(name).textContent()).toContain('Field encryption');
    expect(await row(name).textContent()).toContain('2031');
    const res = await fetch(`${env.platform.endpoints.registry}/participants/${ids.auto}`, {
      headers: { authorization: `Bearer ${await env.admin.platformToken()}` },
    });
    expect(await res.json()).toMatchObject({
      protection: 'field-encryption',
      certificationDetails: [
        {
          certification: 'health-data-handler',
          evidence: 'https://example.org/certificates/nmi-2026-0077',
          expired: false,
        },
      ],
    });
  });

  it('shows what offboarding will do before anything happens, and asks for the name', async () => {
    const name = cellMaker.legalName;
    await page.getByRole('button', { name: `Actions for ${name}` }).click();
    await page.getByRole('menuitem', { name: 'Offboard' }).click();
    const impact = page.getByTestId('offboard-impact');
    await impact.waitFor({ timeout: 15_000 });
    // Its dataset is granted to the automaker (the stream ends, a deletion obligation opens) and requested by
    // the competitor (the request is withdrawn).
    expect(await page.getByTestId('impact-originator').textContent()).toContain(
      '2 live grants of its datasets',
    );
    expect(await page.getByTestId('impact-consumer').textContent()).toContain('0 live grants');
    expect(await page.getByTestId('impact-obligations').textContent()).toContain(
      '1 deletion obligation opens',
    );
    const grants = (await page.getByTestId('impact-grants').textContent()) ?? '';
    expect(grants).toContain('battery.cfp');
    expect(grants).toContain(automaker.legalName);
    expect(grants).toContain(competitorCellMaker.legalName);
    expect(grants).toContain('Revoked: the stream ends at once');
    expect(grants).toContain('Request withdrawn');
    expect(await page.getByTestId('impact-deletions').textContent()).toContain(automaker.legalName);
    await expectAccessible(page, 'admin offboarding preview');

    // Nothing is offboarded until a reason is given and the name typed exactly.
    const confirm = page.getByTestId('confirm-offboard');
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByTestId('offboard-reason').fill('Left the consortium (board resolution 2026-47)');
    await page.getByTestId('offboard-name').fill('Kansai Cell Works');
    await page.getByText("This is not the participant's name.").waitFor();
    expect(await confirm.isDisabled()).toBe(true);
    expect(await registryStatus(ids.cell!)).toBe('active');
    await screenshot(page, 'admin-offboarding');
  });

  it('offboards once confirmed: the grants are revoked and the participant stays offboarded', async () => {
    const name = cellMaker.legalName;
    await page.getByTestId('offboard-name').fill(name);
    const confirm = page.getByTestId('confirm-offboard');
    await expect.poll(() => confirm.isDisabled()).toBe(false);
    await confirm.click();
    const result = page.getByTestId('offboard-result');
    await result.waitFor({ timeout: 15_000 });
    expect(await result.textContent()).toContain('Status: Offboarded');
    await page.getByTestId('offboard-revoked').waitFor({ timeout: 30_000 });
    await expectAccessible(page, 'admin offboarding result');
    expect(await registryStatus(ids.cell!)).toBe('offboarded');
    expect((await clients.auto!.grant(grantToAuto)).state).toBe('revoked');
    expect((await clients.competitor!.grant(requestByCompetitor)).state).toBe('revoked');

    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Close' }).last().click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => statusOf(name)).toBe('Offboarded');
    expect(await row(name).getByRole('button').count()).toBe(0); // final: no suspend, no reactivate
  });

  it('shows the signing keys and rotates them', async () => {
    await page.getByRole('link', { name: 'Signing keys' }).click();
    await page.getByRole('heading', { level: 1, name: 'Signing keys' }).waitFor();
    const keys = page.getByTestId('signing-key');
    await expect.poll(() => page.locator('[data-testid=signing-key][data-state=active]').count()).toBe(1);
    const before = await keys.count();
    await expectAccessible(page, 'admin signing keys');
    await page.getByTestId('rotate').click();
    await page.getByTestId('rotate-delay').fill('0');
    await expectAccessible(page, 'admin rotate dialog');
    await page.getByTestId('confirm-rotate').click();
    await expect.poll(() => keys.count(), { timeout: 15_000 }).toBe(before + 1);
    await screenshot(page, 'admin-signing-keys');
  });

  it('speaks Japanese to a Japanese browser', async () => {
    const context = await newContext(browser, { locale: 'ja-JP' });
    const ja = await context.newPage();
    await signIn(ja, consoleUrl, keyFile(ADMIN_ID, env.secrets.adminKey, 'Consortium admin'));
    await ja.getByRole('link', { name: '参加者' }).first().click();
    await ja.getByRole('heading', { level: 1, name: '参加者' }).waitFor();
    await expect.poll(() => ja.getByTestId('participant-row').count()).toBe(4);
    expect(
      await ja.getByTestId('participant-row').filter({ hasText: automaker.legalName }).textContent(),
    ).toContain('有効');
    await expectAccessible(ja, 'admin participants (ja)');
    await context.close();
  });
});
