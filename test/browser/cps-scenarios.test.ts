/**
 * The CPS part of the console against the real services: the CPS service's operator follows the EUV-lens
 * chain's datasets from the console (a refusal says why), defines a fluorite disruption with the form,
 * runs it and watches the progress the service pushes (Server-Sent Events, not polling) reach done, reads
 * the chart and its table, and publishes the result as a derived dataset. Seeding (participants, contracts,
 * approvals, events) goes through the SDK, as the companies would do it with their own tools.
 */
import { createHash } from 'node:crypto';
import type { JWK } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient } from '@renkei/sdk';
import { euvLensChainEvents } from '../fixtures/cps/euv-lens-chain.js';
import {
  corporateNumber,
  participantKey,
  publicJwk,
  startTestPlatform,
  type TestPlatform,
} from '../support/test-platform.js';
import {
  expectAccessible,
  keyFile,
  launchBrowser,
  newContext,
  screenshot,
  signIn,
} from './support/browser.js';

const SLOW = 45_000;
const PURPOSE = 'supply-risk';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidOf = (id: string) => {
  if (UUID.test(id)) return id.toLowerCase();
  const h = createHash('sha256').update(id).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

const chain = [
  { key: 'mine', legalName: 'Jiangxi Fluorite Mining Co.', industry: 'mining', country: 'CN' },
  { key: 'blank', legalName: 'Nagano Optical Blanks K.K.', industry: 'optical-materials', country: 'JP' },
  { key: 'lens', legalName: 'Tochigi Precision Lens K.K.', industry: 'optics', country: 'JP' },
] as const;

/** Long enough (10,000 Monte Carlo runs over a year) that the run reports progress many times. */
const HORIZON = 365;

describe('console CPS: inputs, a scenario run with live progress, the chart, publishing', () => {
  let env: TestPlatform;
  let browser: Browser;
  let page: Page;
  let consoleUrl: string;
  let cps: RenkeiClient;
  let cpsKeyFile: string;
  let outsiderKeyFile: string;
  const owners = new Map<string, RenkeiClient>();
  const events = euvLensChainEvents.map((e) => ({ ...e, id: uuidOf(e.id) }));
  const datasets = [...new Set(events.map((e) => e.dataset))].sort();
  let runId: string;

  beforeAll(async () => {
    env = await startTestPlatform('browser-cps', 4841, { console: true });
    consoleUrl = env.platform.endpoints.console!;
    const onboard = async (legalName: string, industry: string, country: string, base: string, key: JWK) =>
      env.admin.onboard({
        legalName,
        corporateNumber: corporateNumber(base),
        industry,
        country,
        roles: ['member'],
        jwks: { keys: [publicJwk(key)] },
      });
    const members: RenkeiClient[] = [];
    for (const [i, c] of chain.entries()) {
      const key = await participantKey(`${c.key}-1`);
      const p = await onboard(c.legalName, c.industry, c.country, `70110030${String(4100 + i)}`, key);
      members.push(new RenkeiClient(env.platform.endpoints, { clientId: p.id, privateJwk: key }));
    }
    const twin = await onboard(
      'Renkei Consortium CPS Twin',
      'consortium',
      'JP',
      '701100305100',
      env.secrets.cpsKey,
    );
    cps = new RenkeiClient(env.platform.endpoints, { clientId: twin.id, privateJwk: env.secrets.cpsKey });
    cpsKeyFile = keyFile(twin.id, env.secrets.cpsKey, 'Renkei Consortium CPS Twin');
    const outsiderKey = await participantKey('outsider-1');
    const outsider = await onboard(
      'Osaka Market Research K.K.',
      'consulting',
      'JP',
      '701100305200',
      outsiderKey,
    );
    outsiderKeyFile = keyFile(outsider.id, outsiderKey, 'Osaka Market Research K.K.');
    await env.platform.restart('cps-sim', 'SIGTERM', { CPS_CLIENT_ID: twin.id, CPS_GRANT_POLL_MS: '300' });
    for (const [i, dataset] of datasets.entries()) {
      const owner = members[i % members.length]!;
      owners.set(dataset, owner);
      await owner.registerContract({
        dataset,
        version: '1.0.0',
        title: `EUV lens chain: ${dataset}`,
        domain: 'supply-chain',
        purposes: [PURPOSE, 'due-diligence'],
        sensitivity: 'confidential',
        residency: null,
        retentionDays: 365,
        fields: {},
        schema: { type: 'object' },
      });
    }
    browser = await launchBrowser();
    page = await (await newContext(browser)).newPage();
    page.on('pageerror', (e) => console.error('pageerror', e));
    page.on('console', (m) => m.type() === 'error' && console.error('console', m.text()));
    await signIn(page, consoleUrl, cpsKeyFile, { remember: true });
  });

  afterAll(async () => {
    await browser?.close();
    await env?.stop();
  });

  it('follows the chain’s datasets from the console, and says why a request is refused', async () => {
    await page.goto(`${consoleUrl}/cps/inputs`);
    await page.getByRole('heading', { level: 1, name: 'Twin inputs' }).waitFor();
    await expect
      .poll(() => page.getByText('The service follows no dataset yet').count(), { timeout: 15_000 })
      .toBe(1);
    await expectAccessible(page, 'cps inputs (empty)');

    const dataset = page.getByRole('combobox', { name: 'Dataset', exact: true });
    const purpose = page.getByRole('combobox', { name: 'Purpose', exact: true });
    // A purpose the contract does not offer: the policy refuses, and the console says why.
    await dataset.fill(datasets[0]!);
    await purpose.fill('marketing');
    await page.getByTestId('follow').click();
    const problem = page.getByTestId('problem');
    await problem.waitFor();
    const refusal = await problem.textContent();
    expect(refusal).toContain('403');
    expect(refusal).toContain('PURPOSE.NOT_ALLOWED');
    // Why, in words built from the request: the rule that decided and the purposes the contract offers.
    const why = await page.getByTestId('problem-why').textContent();
    expect(why).toContain('marketing');
    expect(why).toContain('supply-risk');
    expect(why).toContain('due-diligence');
    await expectAccessible(page, 'cps inputs (refused)');

    for (const d of datasets) {
      await dataset.fill(d);
      await purpose.fill(PURPOSE);
      await page.getByTestId('follow').click();
      // The answer: requested (or, if refused, the refusal's words, so a failure says why).
      const answer = page.getByTestId('followed').or(page.getByTestId('problem'));
      await expect.poll(() => answer.first().textContent(), { timeout: 15_000 }).toContain(`${d}: requested`);
    }
    // Each originator approves the service's request in its own inbox and publishes its part of the chain.
    const inputs = await cps.simInputs();
    expect(inputs.map((i) => i.dataset).sort()).toEqual(datasets);
    for (const input of inputs) {
      const owner = owners.get(input.dataset)!;
      await owner.approveGrant(input.grant!.id, 'Consortium supply-risk foresight');
      const token = await owner.datasetToken(input.dataset, 'publish');
      await owner.publish(
        input.dataset,
        token,
        events
          .filter((e) => e.dataset === input.dataset)
          .map((e) => ({ id: e.id, type: e.type, occurredAt: e.occurredAt, payload: e.payload })),
      );
    }
    // The page follows the inputs to streaming, with every event applied.
    const rows = page.getByTestId('inputs').locator('tbody tr');
    await expect
      .poll(
        async () =>
          (await rows.allTextContents()).filter((r) => r.includes('Streaming') && r.includes('Granted'))
            .length,
        { timeout: SLOW },
      )
      .toBe(datasets.length);
    await expect
      .poll(
        async () =>
          (await page.getByTestId('events-applied').allTextContents()).reduce((n, s) => n + Number(s), 0),
        { timeout: SLOW },
      )
      .toBe(events.length);
    for (const d of datasets) {
      const row = page.locator(`tr[data-dataset="${d}"]`);
      expect(await row.textContent()).toMatch(/partition \d+: offset \d+/);
    }
    await expect
      .poll(async () => Number(await page.getByTestId('twin-facilities').textContent()), { timeout: SLOW })
      .toBeGreaterThan(0);
    const digest = (await cps.simTwin()).digest;
    await page.getByTestId('rebuild').click();
    const rebuilt = page.getByTestId('rebuilt');
    await rebuilt.waitFor();
    expect(await rebuilt.textContent()).toContain('Rebuilt: the same twin');
    expect(await rebuilt.textContent()).toContain(digest.slice(0, 12));
    await expectAccessible(page, 'cps inputs');
    await screenshot(page, 'cps-inputs');
  });

  it('defines a disruption with the form, checked before anything is sent', async () => {
    const posted: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/cps-sim/scenarios')) posted.push(r.url());
    });
    await page.goto(`${consoleUrl}/cps/scenarios`);
    await page.getByRole('link', { name: 'Define a scenario' }).click();
    await page.getByRole('heading', { level: 1, name: 'Define a scenario' }).waitFor();
    await expectAccessible(page, 'cps define scenario');
    const form = page.getByRole('form', { name: 'Define a scenario' });
    await form.getByRole('textbox', { name: 'Name' }).fill('Fluorite: Chinese mines stop for 60 days');
    await form.getByRole('textbox', { name: 'Days stopped' }).fill('0');
    await page.getByTestId('define-scenario').click();
    // Nothing stops, and zero days: both said on their fields, nothing sent.
    await page.getByTestId('group-error-stop').waitFor();
    expect(await page.getByTestId('group-error-stop').textContent()).toBe(
      'Name at least one of country, supplier or input',
    );
    await expect.poll(() => page.getByText('At least 1').count(), { timeout: 5_000 }).toBe(1);
    expect(await form.getByRole('textbox', { name: 'Days stopped' }).getAttribute('aria-invalid')).toBe(
      'true',
    );
    expect(posted).toEqual([]);
    await expectAccessible(page, 'cps define scenario (errors)');

    await form.getByRole('textbox', { name: 'Country' }).fill('CN');
    await form.getByRole('textbox', { name: 'Days stopped' }).fill('60');
    await form.getByRole('textbox', { name: 'Horizon (days)' }).fill(String(HORIZON));
    await form.getByRole('textbox', { name: 'Monte Carlo runs' }).fill('10000');
    await form.getByRole('textbox', { name: 'Seed' }).fill('42');
    await page.getByTestId('define-scenario').click();
    await page.getByTestId('scenario-defined').waitFor();
    expect(posted).toHaveLength(1);
    const [scenario] = await cps.scenarios();
    expect(scenario).toMatchObject({
      kind: 'disruption',
      params: { stop: { country: 'CN' }, days: 60, horizonDays: HORIZON, runs: 10_000, seed: 42 },
    });
  });

  it('runs it and shows the progress the service pushes moving to done, then the chart', async () => {
    const runRequests: string[] = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/api/cps-sim/runs/')) runRequests.push(path);
    });
    // Every value the progress bar shows, as the page renders it.
    await page.evaluate(() => {
      const w = window as unknown as { progressSeen: number[] };
      w.progressSeen = [];
      const record = () => {
        const bar = document.querySelector('[data-testid="run-progress"] [role="progressbar"]');
        const value = bar ? Number(bar.getAttribute('aria-valuenow')) : NaN;
        if (!Number.isNaN(value) && w.progressSeen.at(-1) !== value) w.progressSeen.push(value);
      };
      new MutationObserver(record).observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ['aria-valuenow'],
      });
    });
    await page.getByRole('button', { name: 'Run Fluorite: Chinese mines stop for 60 days' }).click();
    await page.waitForURL(/\/cps\/runs\/[0-9a-f-]{36}$/);
    runId = page.url().split('/').at(-1)!;
    await expect
      .poll(() => page.getByTestId('run-status').first().textContent(), { timeout: SLOW })
      .toBe('Succeeded');
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
    // More than one value between start and done was rendered, in order, ending at 100 %.
    expect(seen.length, `progress rendered: ${seen.join(', ')}`).toBeGreaterThan(2);
    expect(seen.filter((v) => v > 0 && v < 100).length).toBeGreaterThan(0);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(100);
    // Pushed, not polled: one stream, and the run itself read only when the page opened and once when done.
    expect(runRequests.filter((p) => p === `/api/cps-sim/runs/${runId}/events`)).toHaveLength(1);
    expect(runRequests.filter((p) => p === `/api/cps-sim/runs/${runId}`).length).toBeLessThanOrEqual(2);
    expect(await page.getByTestId('no-stream').count()).toBe(0);

    // The chart is drawn from the result's rows, one line per product, and the same numbers are a table.
    const chart = page.getByTestId('result-chart');
    await chart.locator('.recharts-surface').first().waitFor({ timeout: SLOW });
    const { chart: spec } = await cps.runResult(runId);
    const products = new Set(spec.rows.map((r) => r.product));
    await expect
      .poll(() => chart.locator('path.recharts-line-curve').count(), { timeout: 10_000 })
      .toBe(products.size);
    expect(await chart.getByRole('heading').textContent()).toBe(
      'Fluorite: Chinese mines stop for 60 days: output per product',
    );
    await expectAccessible(page, 'cps run');
    await screenshot(page, 'cps-run');
    await page.getByTestId('chart-table-tab').click();
    const table = page.getByTestId('chart-table');
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(new Set(spec.rows.map((r) => r.day)).size);
    expect(await table.locator('thead th').allTextContents()).toEqual(['Day', ...[...products].map(String)]);
    await expectAccessible(page, 'cps run (table)');

    // Lineage: the three inputs at the versions the twin held, and the seed.
    expect(await page.getByTestId('run-seed').textContent()).toBe('42');
    const lineage = await page.getByTestId('lineage-inputs').locator('tbody th').allTextContents();
    expect(lineage).toEqual(datasets);
  });

  it('publishes the result as a derived dataset carrying its lineage', async () => {
    await page.getByTestId('publish').click();
    const published = page.getByTestId('published');
    await published.waitFor({ timeout: SLOW });
    const text = await published.textContent();
    expect(text).toContain('Published as cps.disruption-forecast version 1.0.0.');
    for (const d of datasets) expect(text).toContain(`${d} 1.0.0`);
    expect((await cps.run(runId)).published).toMatchObject({
      dataset: 'cps.disruption-forecast',
      version: '1.0.0',
      eventIds: [runId],
    });
    await expectAccessible(page, 'cps run (published)');
    await page.goto(`${consoleUrl}/cps/scenarios`);
    const runs = page.getByTestId('runs');
    await runs.waitFor();
    expect(await runs.locator('tbody tr').first().textContent()).toContain('cps.disruption-forecast 1.0.0');
    await expectAccessible(page, 'cps scenarios');
    await screenshot(page, 'cps-scenarios');
  });

  it('shows a member who is not an operator of the service why its API refuses', async () => {
    const context = await newContext(browser);
    const other = await context.newPage();
    await signIn(other, consoleUrl, outsiderKeyFile, { remember: true });
    await other.goto(`${consoleUrl}/cps/scenarios`);
    const problem = other.getByTestId('problem').first();
    await problem.waitFor();
    const text = await problem.textContent();
    expect(text).toContain('CPS.NOT_OPERATOR');
    expect(text).toContain('Subscribe to the derived datasets');
    await expectAccessible(other, 'cps scenarios (not an operator)');
    await context.close();
  });
});
