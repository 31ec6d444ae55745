/**
 * The consortium admin onboards a company through the console's wizard, in the browser only: a mistyped
 * corporate number is caught on the field while typing, the key pair is generated in the browser, the
 * health-data-handler certification goes in with evidence and expiry, and the private key file downloaded
 * at the end signs the new participant in. The registry's own refusals land on the field they name.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellMaker } from '../fixtures/battery-cfp.js';
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

const ADMIN_ID = 'consortium-admin';

interface RegistryParticipant {
  id: string;
  legalName: string;
  corporateNumber: string | null;
  roles: string[];
  certifications: string[];
  certificationDetails?: { certification: string; evidence: string | null; expiresAt: string | null }[];
  protection: string;
  status: string;
  jwks: { keys: { kid?: string; d?: string }[] };
}

describe('console: onboarding a participant (admin)', () => {
  let env: TestPlatform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let consoleUrl: string;
  const dir = mkdtempSync(join(tmpdir(), 'renkei-admin-onboarding-'));
  const base12 = '301020304051';
  const good = corporateNumber(base12);
  const wrong = `${(Number(good[0]) + 1) % 10}${base12}`;
  const name = 'Setouchi Separator Films K.K.';
  let newId: string;
  let keyPath: string;
  let kid: string;

  const field = (testId: string) => page.getByTestId(testId);
  /** The error Mantine shows under an input (its aria-describedby), or '' when there is none. */
  const errorOf = async (testId: string) => {
    const input = field(testId);
    if ((await input.getAttribute('aria-invalid')) !== 'true') return '';
    const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
    const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
    return texts.join(' ');
  };

  /** What the registry holds, read with the admin's own token (not through the console). */
  const registryParticipant = async (id: string) => {
    const res = await fetch(`${env.platform.endpoints.registry}/participants/${id}`, {
      headers: { authorization: `Bearer ${await env.admin.platformToken()}` },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as RegistryParticipant;
  };

  beforeAll(async () => {
    env = await startTestPlatform('browser-admin-onboarding', 4811, { console: true });
    consoleUrl = env.platform.endpoints.console!;
    // A company already on the platform: onboarding it again is refused.
    await env.admin.onboard({ ...cellMaker, jwks: { keys: [publicJwk(await participantKey('cell-1'))] } });
    browser = await launchBrowser();
    context = await newContext(browser);
    page = await context.newPage();
    await signIn(page, consoleUrl, keyFile(ADMIN_ID, env.secrets.adminKey, 'Consortium admin'));
  });
  afterAll(async () => {
    await browser?.close();
    await env?.stop();
  });

  it('shows a wrong check digit on the corporate number field while typing, and clears it once fixed', async () => {
    await page.getByRole('link', { name: 'Onboard a participant' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Onboard a participant' }).waitFor();
    await expectAccessible(page, 'admin onboarding: company');

    await field('field-corporateNumber').fill(wrong);
    await expect
      .poll(() => errorOf('field-corporateNumber'))
      .toContain(`Check digit is ${wrong[0]}, but for these 12 digits it must be ${good[0]}`);
    await expectAccessible(page, 'admin onboarding: a field in error');
    // Next does not move on while a field is wrong.
    await field('field-legalName').fill(name);
    await field('field-industry').fill('battery-materials');
    await field('wizard-next').click();
    await expect.poll(() => errorOf('field-corporateNumber')).toContain('Check digit');
    await page.getByRole('heading', { level: 2, name: 'Company' }).waitFor();

    await field('field-corporateNumber').fill(good);
    await expect.poll(() => errorOf('field-corporateNumber')).toBe('');
    await screenshot(page, 'admin-onboarding');
  });

  it('generates the key pair in the browser and says the private half comes after onboarding', async () => {
    await field('wizard-next').click();
    await page.getByRole('heading', { level: 2, name: 'Public key' }).waitFor();
    // Moving on without a key says what is missing.
    await field('wizard-next').click();
    await page.getByText('Generate the key pair first.').waitFor();
    await field('generate-key').click();
    const generated = field('generated-key');
    await generated.waitFor();
    const shown = JSON.parse((await generated.locator('pre, code').first().textContent()) ?? '{}') as {
      kid: string;
      d?: string;
      crv: string;
    };
    expect(shown.crv).toBe('P-256');
    expect(shown.d).toBeUndefined(); // only the public half is on the page
    kid = shown.kid;
    await page.getByText('until the participant is onboarded', { exact: false }).waitFor();
    await expectAccessible(page, 'admin onboarding: key');
  });

  it('asks evidence and expiry for the health-data-handler certification', async () => {
    await field('wizard-next').click();
    await page.getByRole('heading', { level: 2, name: 'Attestations' }).waitFor();
    await page.getByLabel('Field encryption').check();
    await page.getByLabel('Health-data handler').check();
    await field('wizard-next').click();
    await expect
      .poll(() => errorOf('evidence-health-data-handler'))
      .toContain('Evidence is required for this certification.');
    expect(await errorOf('expires-health-data-handler')).toContain('An expiry is required');
    await field('evidence-health-data-handler').fill('NMI-2026-0142');
    await field('expires-health-data-handler').fill('2030-03-31');
    await expect.poll(() => errorOf('evidence-health-data-handler')).toBe('');
    await expectAccessible(page, 'admin onboarding: attestations');
    await field('wizard-next').click();
  });

  it('reviews, onboards, and hands over the private key as a key file once the participant exists', async () => {
    const review = field('review');
    await review.waitFor();
    const text = (await review.textContent()) ?? '';
    expect(text).toContain(name);
    expect(text).toContain(good);
    expect(text).toContain('Field encryption');
    expect(text).toContain('NMI-2026-0142');
    expect(text).toContain(kid);
    await expectAccessible(page, 'admin onboarding: review');
    await field('wizard-submit').click();

    await field('onboard-done')
      .waitFor({ timeout: 15_000 })
      .catch(async (error: unknown) => {
        // Say what the page shows instead: a refusal on a field, or a problem.
        const shown = await page.locator('[aria-invalid=true], [role=alert]').allTextContents();
        const values = await page
          .locator('[aria-invalid=true]')
          .evaluateAll((els) =>
            els.map(
              (el) =>
                document.getElementById(el.getAttribute('aria-describedby')?.split(' ').pop() ?? '')
                  ?.textContent,
            ),
          );
        throw new Error(`onboarding did not complete: ${JSON.stringify([...shown, ...values])}`, {
          cause: error,
        });
      });
    newId = ((await field('new-participant-id').textContent()) ?? '').trim();
    expect(newId).toMatch(/^[0-9a-f-]{36}$/);
    await expectAccessible(page, 'admin onboarding: done');
    const [download] = await Promise.all([page.waitForEvent('download'), field('download-key').click()]);
    keyPath = join(dir, download.suggestedFilename());
    await download.saveAs(keyPath);
    await field('key-downloaded').waitFor();

    const file = JSON.parse(readFileSync(keyPath, 'utf8')) as {
      participant: string;
      name: string;
      privateJwk: { d?: string; kid?: string; crv?: string };
    };
    expect(file.participant).toBe(newId);
    expect(file.name).toBe(name);
    expect(file.privateJwk).toMatchObject({ kid, crv: 'P-256' });
    expect(typeof file.privateJwk.d).toBe('string');

    // What the registry holds: the public key only, and the attestations with their evidence and expiry.
    const stored = await registryParticipant(newId);
    expect(stored).toMatchObject({
      legalName: name,
      corporateNumber: good,
      roles: ['member'],
      protection: 'field-encryption',
      certifications: ['health-data-handler'],
      status: 'active',
    });
    expect(stored.jwks.keys.map((k) => k.kid)).toEqual([kid]);
    expect(stored.jwks.keys[0]?.d).toBeUndefined();
    if (stored.certificationDetails)
      expect(stored.certificationDetails[0]).toMatchObject({
        certification: 'health-data-handler',
        evidence: 'NMI-2026-0142',
      });
  });

  it('the downloaded key file signs the new participant in', async () => {
    const other = await newContext(browser);
    const as = await other.newPage();
    await signIn(as, consoleUrl, keyPath);
    await expect.poll(() => as.getByTestId('who').textContent()).toBe(name);
    await other.close();
  });

  it('shows the registry refusing an identifier already onboarded on that field', async () => {
    await page.getByRole('button', { name: 'Onboard another' }).click();
    await field('field-corporateNumber').fill(cellMaker.corporateNumber);
    await field('field-legalName').fill('Kansai Cell Works (again)');
    await field('field-industry').fill('battery-cells');
    await field('wizard-next').click();
    await field('generate-key').click();
    await field('generated-key').waitFor();
    await field('wizard-next').click();
    await field('wizard-next').click();
    await field('wizard-submit').click();
    // Back on the company step, the refusal on the corporate number it is about.
    await expect
      .poll(() => errorOf('field-corporateNumber'), { timeout: 15_000 })
      .toContain('already onboarded');
    await page.getByRole('heading', { level: 2, name: 'Company' }).waitFor();
  });

  it('refuses a pasted private key, saying never to send it', async () => {
    await field('wizard-next').click();
    await page.getByRole('heading', { level: 2, name: 'Public key' }).waitFor();
    await page.getByText('Paste the company').click();
    await field('field-key').fill(JSON.stringify(await participantKey('leaked-1')));
    await expect.poll(() => errorOf('field-key')).toContain('This is a PRIVATE key');
    await field('wizard-next').click();
    await page.getByRole('heading', { level: 2, name: 'Public key' }).waitFor();
    // The public half is accepted.
    await field('field-key').fill(JSON.stringify({ keys: [publicJwk(await participantKey('pasted-1'))] }));
    await expect.poll(() => errorOf('field-key')).toBe('');
    await field('wizard-next').click();
    await page.getByRole('heading', { level: 2, name: 'Attestations' }).waitFor();
  });
});
