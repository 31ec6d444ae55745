/**
 * The member data steward's journeys in the console, against the real services: the consumer requests
 * access from the catalog, the originator approves it in the grants inbox, and the consumer's live tail (a
 * second browser, signed in as the consumer) receives the events the originator publishes with the test
 * publisher; the originator revokes the grant and the tail shows the stream end and why. The contract page
 * shows each breaking change of a compatibility dry run on the schema. Every steward page passes axe.
 */
import type { JWK } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient } from '@renkei/sdk';
import { automaker, batteryCfpContract, cellMaker } from '../fixtures/battery-cfp.js';
import {
  participantKey as newKey,
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

describe('console: the member data steward', () => {
  let env: TestPlatform;
  let browser: Browser;
  let consoleUrl: string;
  let cell: RenkeiClient;
  const keys: Record<string, JWK> = {};
  const ids: Record<string, string> = {};
  let ownerContext: BrowserContext;
  let consumerContext: BrowserContext;
  let owner: Page; // Kansai Cell Works: owns battery.cfp
  let consumer: Page; // Chubu Motors: asks for it and tails it
  let grantId: string;

  beforeAll(async () => {
    env = await startTestPlatform('browser-steward', 4831, { console: true });
    consoleUrl = env.platform.endpoints.console!;
    for (const name of ['cell', 'auto']) keys[name] = await newKey(`${name}-key-1`);
    const [c, a] = await Promise.all([
      env.admin.onboard({ ...cellMaker, jwks: { keys: [publicJwk(keys.cell!)] } }),
      env.admin.onboard({ ...automaker, jwks: { keys: [publicJwk(keys.auto!)] } }),
    ]);
    ids.cell = c.id;
    ids.auto = a.id;
    cell = new RenkeiClient(env.platform.endpoints, { clientId: c.id, privateJwk: keys.cell! });
    await cell.registerContract(batteryCfpContract);
    // A draft the owner activates in the console.
    await cell.registerContract({
      ...batteryCfpContract,
      version: '1.1.0',
      status: 'draft',
      schema: {
        ...batteryCfpContract.schema,
        properties: { ...batteryCfpContract.schema.properties, plantId: { type: 'string' } },
      },
    });
    // A restricted dataset: only consumers attested for field encryption may even ask for it.
    await cell.registerContract({
      ...batteryCfpContract,
      dataset: 'battery.recycling',
      title: 'Recycled material share per lot',
      sensitivity: 'restricted',
    });
    browser = await launchBrowser();
    ownerContext = await newContext(browser);
    consumerContext = await newContext(browser);
    owner = await ownerContext.newPage();
    consumer = await consumerContext.newPage();
    await signIn(owner, consoleUrl, keyFile(c.id, keys.cell!, cellMaker.legalName), { remember: true });
    await signIn(consumer, consoleUrl, keyFile(a.id, keys.auto!, automaker.legalName), { remember: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await env?.stop();
  });

  const go = async (page: Page, path: string) => {
    await page.goto(`${consoleUrl}${path}`);
    await page.getByTestId('who').waitFor();
  };

  it('finds the dataset in the catalog and requests access with a purpose and terms', async () => {
    await go(consumer, '/steward/catalog');
    await consumer.getByTestId('catalog-row-battery.cfp').waitFor();
    // Search narrows the list on the server.
    await consumer.getByTestId('catalog-search').fill('no-such-dataset');
    await consumer.getByTestId('catalog-empty').waitFor();
    await consumer.getByTestId('catalog-search').fill('carbon');
    await consumer.getByTestId('catalog-row-battery.cfp').waitFor();
    await expectAccessible(consumer, 'steward catalog');
    await screenshot(consumer, 'steward-catalog');

    await consumer.getByTestId('request-battery.cfp').click();
    const dialog = consumer.getByRole('dialog');
    await dialog.getByLabel('Delete within (days)').fill('14');
    await expectAccessible(consumer, 'steward request access');
    await dialog.getByTestId('request-submit').click();
    await dialog.waitFor({ state: 'hidden' });

    const grants = await new RenkeiClient(env.platform.endpoints, {
      clientId: ids.auto!,
      privateJwk: keys.auto!,
    }).grants();
    expect(grants).toEqual([
      expect.objectContaining({
        dataset: 'battery.cfp',
        purpose: 'cfp-disclosure',
        state: 'requested',
        deletionDays: 14,
      }),
    ]);
    grantId = grants[0]!.id;
  });

  it('shows why the policy refuses a request: the deciding rule and its explanation', async () => {
    await go(consumer, '/steward/catalog');
    await consumer.getByTestId('request-battery.recycling').click();
    const dialog = consumer.getByRole('dialog');
    await dialog.getByTestId('request-submit').click();
    const why = dialog.getByTestId('problem-why');
    await why.waitFor();
    expect(await why.textContent()).toContain('PROTECTION.INSUFFICIENT');
    expect(await dialog.getByTestId('problem').textContent()).toContain('403');
    await expectAccessible(consumer, 'steward request refused');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('shows the request in the owner’s inbox with its terms; the owner approves it with a reason', async () => {
    await go(owner, '/steward/grants');
    const card = owner.getByTestId(`grant-${grantId}`);
    await card.waitFor();
    expect(await card.getByTestId('grant-state').textContent()).toBe('Requested');
    // The grant's terms and, once loaded, the contract's next to them.
    await expect.poll(() => card.textContent()).toContain('365 days'); // the contract's retention
    const text = await card.textContent();
    expect(text).toContain('cfp-disclosure');
    expect(text).toContain('14 days'); // the consumer's deletion term
    await expectAccessible(owner, 'steward grants');
    await screenshot(owner, 'steward-grants');

    await card.getByTestId('approve').click();
    const dialog = owner.getByRole('dialog');
    await dialog.getByTestId('reason').fill('CFP disclosure for model year 2027');
    await dialog.getByTestId('confirm').click();
    await expect
      .poll(() => card.getByTestId('grant-state').textContent(), { timeout: 10_000 })
      .toBe('Granted');
    expect((await cell.grant(grantId)).state).toBe('granted');
  });

  it('starts the consumer’s live tail, which receives what the owner publishes with the test publisher', async () => {
    await go(consumer, `/steward/tail?grant=${grantId}`);
    await consumer.getByTestId('tail-start').click();
    // Subscribed: the exchange answered (through the console's proxy the headers may wait for the first
    // line, so 'connecting' counts as subscribed too; a refusal would be 'failed', with its reason).
    await expect
      .poll(
        async () => {
          const status = await consumer.getByTestId('tail-status').getAttribute('data-status');
          if (status === 'failed')
            return `failed: ${(await consumer.getByRole('alert').allTextContents()).join(' ')}`;
          return status === 'live' || status === 'connecting' ? 'subscribed' : status;
        },
        { timeout: 15_000 },
      )
      .toBe('subscribed');

    await go(owner, '/steward/publish?dataset=battery.cfp');
    await owner.getByTestId('field-lotId').waitFor();
    // Checked as you type, on the field: a negative footprint breaks the schema's minimum.
    await owner.getByTestId('field-lotId').fill('lot-2026-12-0001');
    await owner.getByTestId('field-cellModel').fill('KCW-NMC811-50Ah');
    await owner.getByTestId('field-cfpKgCo2ePerKwh').fill('-5');
    await owner.getByText('must be at least 0').waitFor();
    expect(await owner.getByTestId('publish-submit').isDisabled()).toBe(true);
    await expectAccessible(owner, 'steward publisher');
    // Sent anyway, the exchange refuses it and the console puts its words on the field its path names.
    await owner.getByTestId('publish-check-here').click();
    await owner.getByTestId('publish-submit').click();
    await owner.getByText(/Refused by the exchange: .*>= 0/).waitFor();
    expect(await owner.getByTestId('problem').textContent()).toContain('CONTRACT.SCHEMA_VIOLATION');
    await owner.getByTestId('publish-check-here').click();

    await owner.getByTestId('field-cfpKgCo2ePerKwh').fill('61.5');
    await owner.getByTestId('publish-submit').click();
    await owner.getByTestId('publish-accepted').waitFor({ timeout: 15_000 });

    const event = consumer.getByTestId('tail-event').filter({ hasText: 'lot-2026-12-0001' });
    await event.waitFor({ timeout: 30_000 });
    expect(await consumer.getByTestId('tail-status').getAttribute('data-status')).toBe('live');
    expect(await event.textContent()).toContain('61.5');
    await expectAccessible(consumer, 'steward live tail');
    await screenshot(consumer, 'steward-tail');

    // Paused, the tail holds new events back (the stream stays open) and shows them on resume.
    await consumer.getByTestId('tail-pause').click();
    await owner.getByTestId('field-lotId').fill('lot-2026-12-0002');
    await owner.getByTestId('publish-submit').click();
    await expect
      .poll(() => consumer.getByTestId('tail-resume').textContent(), { timeout: 30_000 })
      .toBe('Resume (1 held)');
    expect(await consumer.getByTestId('tail-event').filter({ hasText: 'lot-2026-12-0002' }).count()).toBe(0);
    await consumer.getByTestId('tail-resume').click();
    await consumer.getByTestId('tail-event').filter({ hasText: 'lot-2026-12-0002' }).waitFor();
  });

  it('ends the consumer’s tail when the owner revokes the grant, saying why', async () => {
    await go(owner, '/steward/grants');
    const card = owner.getByTestId(`grant-${grantId}`);
    await card.getByTestId('revoke').click();
    const dialog = owner.getByRole('dialog');
    // The owner must say why: the consumer sees it.
    expect(await dialog.getByTestId('confirm').isDisabled()).toBe(true);
    await dialog.getByTestId('reason').fill('Supplier agreement ended');
    await dialog.getByTestId('confirm').click();
    await expect
      .poll(() => card.getByTestId('grant-state').textContent(), { timeout: 10_000 })
      .toBe('Revoked');

    const end = consumer.getByTestId('tail-end');
    await end.waitFor({ timeout: 20_000 });
    expect(await end.textContent()).toContain('GRANT.REVOKED');
    expect(await consumer.getByTestId('tail-status').getAttribute('data-status')).toBe('ended');

    // The consumer's own requests show the grant revoked.
    await go(consumer, '/steward/grants');
    await consumer.getByTestId('tab-mine').click();
    const mine = consumer.getByTestId(`grant-${grantId}`);
    await expect.poll(() => mine.getByTestId('grant-state').textContent()).toBe('Revoked');
    await expectAccessible(consumer, 'steward grants (my requests)');
  });

  it('shows usage by consumer and purpose, as charts and as tables', async () => {
    await go(owner, '/steward/usage');
    const byConsumer = owner.getByTestId('chart-by-consumer');
    await byConsumer.locator('.recharts-surface').first().waitFor({ timeout: 15_000 });
    await expectAccessible(owner, 'steward usage');
    await screenshot(owner, 'steward-usage');
    // From the usage series endpoint, not the fallback that counts entries in the browser.
    expect(await owner.getByTestId('usage-fallback').count()).toBe(0);
    await owner.getByTestId('table-toggle-by-purpose').click();
    const purposes = owner.getByTestId('chart-by-purpose').locator('table');
    await purposes.waitFor();
    expect(await purposes.textContent()).toContain('cfp-disclosure');
    await owner.getByTestId('table-toggle-by-consumer').click();
    expect(await byConsumer.locator('table').textContent()).toContain(ids.auto!.slice(0, 8));
    await expectAccessible(owner, 'steward usage tables');
  });

  it('activates a draft with a reason, and the lifecycle shows who, when and why', async () => {
    await go(owner, '/steward/contracts/battery.cfp');
    await owner.getByTestId('version-1.1.0').getByRole('button').click();
    await owner.getByTestId('move-activate').click();
    const dialog = owner.getByRole('dialog');
    await dialog.getByTestId('reason').fill('Adds the cell plant');
    await dialog.getByTestId('confirm').click();
    const transitions = owner.getByTestId('transitions');
    await transitions.getByText('Adds the cell plant').waitFor({ timeout: 10_000 });
    expect(await owner.getByTestId('version-1.1.0').textContent()).toContain('Active');
  });

  it('shows each breaking change of a compatibility dry run on the schema', async () => {
    await go(owner, '/steward/contracts/battery.cfp');
    const editor = owner.getByTestId('dry-run-schema');
    await editor.waitFor();
    const current = JSON.parse(await editor.inputValue()) as typeof batteryCfpContract.schema;
    const breaking = {
      ...current,
      properties: {
        ...current.properties,
        cfpKgCo2ePerKwh: { ...current.properties.cfpKgCo2ePerKwh, maximum: 500 },
        unitPriceJpy: { type: 'integer', minimum: 0 },
      },
    };
    await editor.fill(JSON.stringify(breaking, null, 2));
    await owner.getByTestId('dry-run-check').click();
    const result = owner.getByTestId('dry-run-result');
    await result.waitFor();
    const rows = result.getByTestId('break');
    await expect.poll(() => rows.count()).toBe(2);
    const breaks = (await rows.allTextContents()).join('\n');
    expect(breaks).toContain('/schema/properties/cfpKgCo2ePerKwh/maximum');
    expect(breaks).toContain('CONSTRAINT_TIGHTENED');
    expect(breaks).toContain('/schema/properties/unitPriceJpy/type');
    expect(breaks).toContain('TYPE_NARROWED');
    // On the schema itself: the lines those paths name carry the marks.
    const marked = result.locator('[data-testid=schema-view] [data-break]');
    expect((await marked.evaluateAll((els) => els.map((e) => e.getAttribute('data-path')))).sort()).toEqual([
      '/properties/cfpKgCo2ePerKwh/maximum',
      '/properties/unitPriceJpy/type',
    ]);
    // Nothing was registered.
    expect((await cell.contractVersions('battery.cfp')).map((v) => v.version)).toEqual(['1.0.0', '1.1.0']);
    await expectAccessible(owner, 'steward contract');
    await result.scrollIntoViewIfNeeded();
    await screenshot(owner, 'steward-contract');
  });

  it('speaks Japanese to a Japanese browser', async () => {
    await owner.evaluate(() => localStorage.setItem('renkei.lang', 'ja'));
    await go(owner, '/steward/grants');
    await owner.getByRole('heading', { level: 1, name: '利用許諾の受信箱' }).waitFor();
    await expectAccessible(owner, 'steward grants (ja)');
    await owner.evaluate(() => localStorage.setItem('renkei.lang', 'en'));
  });
});
