/**
 * Deletion obligations in the console: after the originator revokes, the consumer's steward confirms the
 * deletion with a receipt the browser signs with the held key, and the originator sees it confirmed.
 */
import type { JWK } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient } from '@renkei/sdk';
import { automaker, batteryCfpContract, cellMaker } from '../fixtures/battery-cfp.js';
import { participantKey, publicJwk, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import {
  expectAccessible,
  keyFile,
  launchBrowser,
  newContext,
  screenshot,
  signIn,
} from './support/browser.js';

describe('console: deletion obligations, confirmed with a receipt signed in the browser', () => {
  let env: TestPlatform;
  let browser: Browser;
  let consoleUrl: string;
  const keys: Record<'cell' | 'auto', JWK> = {} as never;
  const ids: Record<'cell' | 'auto', string> = {} as never;
  let cell: RenkeiClient;
  let obligationId: string;

  beforeAll(async () => {
    env = await startTestPlatform('browser-obligations', 4856, { console: true });
    consoleUrl = env.platform.endpoints.console!;
    keys.cell = await participantKey('cell-1');
    keys.auto = await participantKey('auto-1');
    ids.cell = (await env.admin.onboard({ ...cellMaker, jwks: { keys: [publicJwk(keys.cell)] } })).id;
    ids.auto = (await env.admin.onboard({ ...automaker, jwks: { keys: [publicJwk(keys.auto)] } })).id;
    cell = new RenkeiClient(env.platform.endpoints, { clientId: ids.cell, privateJwk: keys.cell });
    const auto = new RenkeiClient(env.platform.endpoints, { clientId: ids.auto, privateJwk: keys.auto });
    await cell.registerContract(batteryCfpContract);
    const grant = await auto.requestGrant({
      dataset: 'battery.cfp',
      purpose: 'cfp-disclosure',
      deletionDays: 3,
    });
    await cell.approveGrant(grant.id);
    await cell.revokeGrant(grant.id, 'supply agreement ended');
    obligationId = (await auto.deletionObligations({ role: 'consumer' }))[0]!.id;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await env?.stop();
  });

  async function as(who: 'cell' | 'auto'): Promise<Page> {
    const page = await (await newContext(browser)).newPage();
    const name = who === 'cell' ? cellMaker.legalName : automaker.legalName;
    await signIn(page, consoleUrl, keyFile(ids[who], keys[who], name));
    await page.getByRole('navigation').getByRole('link', { name: 'Our deletion obligations' }).click();
    await page.getByRole('heading', { name: 'Deletion obligations', level: 1 }).waitFor();
    return page;
  }

  it('lets the consumer confirm with a receipt its own key signs in the browser', async () => {
    const page = await as('auto');
    const row = page.getByTestId(`obligation-${obligationId}`);
    await row.getByText('open').waitFor();
    await expectAccessible(page, 'deletion obligations');
    await row.getByRole('button', { name: 'Confirm deletion' }).click();
    const dialog = page.getByRole('dialog');
    const sign = dialog.getByRole('button', { name: 'Sign and send the receipt' });
    expect(await sign.isDisabled()).toBe(true); // not before the steward states every copy is gone
    await dialog.getByLabel('Every copy of this data, backups included, has been deleted').check();
    // A deletion dated before the grant ended would not cover what was delivered: refused, saying why.
    await dialog.getByLabel('Deleted at (your time zone)').fill('2026-01-01T09:00');
    await sign.click();
    await dialog.getByTestId('problem').getByText('DELETION.RECEIPT_INVALID').waitFor();
    expect(await dialog.getByTestId('problem').textContent()).toContain('before the grant ended');
    await dialog.getByLabel('Deleted at (your time zone)').fill('');
    await screenshot(page, 'account-obligations-confirm');
    await sign.click();
    await row.getByText('confirmed').waitFor();
  });

  it('shows the originator the receipt, which the platform verified against the consumer’s key', async () => {
    const [stored] = await cell.deletionObligations({ role: 'originator' });
    expect(stored).toMatchObject({ id: obligationId, status: 'confirmed' });
    expect(stored!.receipt!.claims).toMatchObject({
      iss: ids.auto,
      sub: obligationId,
      method: 'crypto-erase',
    });
    const page = await as('cell');
    await page.getByRole('tab', { name: /Owed to you/ }).click();
    await page.getByTestId(`obligation-${obligationId}`).getByText('crypto-erase').waitFor();
  });
});
