/**
 * One key per employee (ADR 0028), in the browser: a member adds a key for a colleague (generated in the
 * browser, private half downloaded), the colleague signs in with that file, and removing the key ends the
 * colleague's access.
 */
import { readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient } from '@renkei/sdk';
import { cellMaker } from '../fixtures/battery-cfp.js';
import { participantKey, publicJwk, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import {
  expectAccessible,
  keyFile,
  launchBrowser,
  newContext,
  screenshot,
  signIn,
} from './support/browser.js';

describe('console: sign-in keys, one per employee', () => {
  let env: TestPlatform;
  let browser: Browser;
  let page: Page;
  let consoleUrl: string;
  let companyId: string;
  let colleagueFile: string;

  beforeAll(async () => {
    env = await startTestPlatform('browser-keys', 4851, { console: true });
    consoleUrl = env.platform.endpoints.console!;
    const key = await participantKey('kcw-it-dept');
    companyId = (await env.admin.onboard({ ...cellMaker, jwks: { keys: [publicJwk(key)] } })).id;
    browser = await launchBrowser();
    page = await (await newContext(browser)).newPage();
    await signIn(page, consoleUrl, keyFile(companyId, key, cellMaker.legalName));
  });
  afterAll(async () => {
    await browser?.close();
    await env?.stop();
  });

  it('adds a key generated in the browser and downloads its private half once', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Sign-in keys' }).click();
    await page.getByRole('heading', { name: 'Sign-in keys' }).waitFor();
    await expectAccessible(page, 'sign-in keys');
    await page.getByRole('button', { name: 'Add a key for an employee' }).click();
    await page.getByLabel('Key id (kid)').fill('kcw tanaka');
    await page.getByText('Use letters, digits').waitFor(); // the field says what is wrong as you type
    await page.getByLabel('Key id (kid)').fill('kcw-tanaka-2026');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Generate, register and download' }).click(),
    ]);
    colleagueFile = (await download.path())!;
    await page.getByRole('cell', { name: 'kcw-tanaka-2026', exact: true }).waitFor();
    await screenshot(page, 'account-keys');
    const registered = await env.admin.participant(companyId);
    expect(registered.jwks.keys.map((k) => k.kid)).toEqual(['kcw-it-dept', 'kcw-tanaka-2026']);
    expect(JSON.stringify(registered.jwks)).not.toContain('"d"');
  });

  it('lets the colleague sign in with the downloaded file; removing the key ends their access', async () => {
    const colleague = await (await newContext(browser)).newPage();
    await signIn(colleague, consoleUrl, colleagueFile);
    expect(await colleague.getByTestId('who').textContent()).toBe(cellMaker.legalName);

    await page.getByRole('button', { name: 'Remove key kcw-tanaka-2026' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await page.getByText("its holder's access has ended").waitFor();

    // A fresh sign-in with the removed key is refused, saying so.
    const again = await (await newContext(browser)).newPage();
    await again.goto(consoleUrl);
    await again.locator('input[type=file]').setInputFiles(colleagueFile);
    await again.getByTestId('sign-in').click();
    await again.getByTestId('problem').waitFor();
    expect(await again.getByTestId('problem').textContent()).toContain('AUTH.INVALID_CLIENT_ASSERTION');
    const { privateJwk } = JSON.parse(readFileSync(colleagueFile, 'utf8')) as { privateJwk: JWK };
    await expect(
      new RenkeiClient(env.platform.endpoints, { clientId: companyId, privateJwk }).platformToken(),
    ).rejects.toThrow(/401/);
  });
});
