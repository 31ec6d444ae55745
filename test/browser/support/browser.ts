/**
 * The browser tier: Debian's Chromium driven by playwright-core (Playwright's own browser builds cannot be
 * downloaded on these machines), against the console served by the real platform.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { JWK } from 'jose';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { repoRoot } from '../../support/test-platform.js';
import { testTlsDir, testTlsEnabled } from '../../support/tls.js';

const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
  (p): p is string => !!p,
);

export function chromiumPath(): string {
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new Error(
      'No Chromium: the browser tests drive Debian’s chromium (apt-get install chromium); set CHROMIUM_PATH to use another',
    );
  return found;
}

/** Headless Chromium with the flags this closed network needs (no background connections). */
/**
 * Chromium trusts the test platforms' HTTPS certificate (the local CA's leaf, test/support/tls.ts) by its
 * public key: exactly that key, not certificate errors in general, and no change to any system trust store.
 */
function trustTestCertificate(): string[] {
  const cert = join(testTlsDir, 'server.crt');
  if (!testTlsEnabled() || !existsSync(cert)) return [];
  const spki = new X509Certificate(readFileSync(cert)).publicKey.export({ type: 'spki', format: 'der' });
  return [`--ignore-certificate-errors-spki-list=${createHash('sha256').update(spki).digest('base64')}`];
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      ...trustTestCertificate(),
    ],
  });
}

/** A fresh browser profile in English (or `locale`), in a fixed time zone so dates are predictable. */
export async function newContext(
  browser: Browser,
  options: { locale?: string; timezoneId?: string } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    locale: options.locale ?? 'en-US',
    timezoneId: options.timezoneId ?? 'Asia/Tokyo',
    viewport: { width: 1366, height: 900 },
    acceptDownloads: true,
    // No transitions: an accessibility scan or a screenshot never catches a dialog half faded in.
    reducedMotion: 'reduce',
  });
}

/** Writes a Renkei key file (what the demo hands out) and returns its path. */
export function keyFile(participant: string, privateJwk: JWK, name?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'renkei-key-'));
  const path = join(dir, `${participant}.json`);
  writeFileSync(path, JSON.stringify({ participant, name, privateJwk }), { mode: 0o600 });
  return path;
}

/** Signs in on the console with a key file, as a person would, and waits for the signed-in header. */
export async function signIn(
  page: Page,
  consoleUrl: string,
  keyPath: string,
  options: { remember?: boolean } = {},
): Promise<void> {
  await page.goto(consoleUrl);
  await page.locator('input[type=file]').setInputFiles(keyPath);
  if (options.remember) await page.getByLabel('Remember this key on this browser').check();
  await page.getByTestId('sign-in').click();
  await page.getByTestId('who').waitFor({ timeout: 15_000 });
}

/** axe-core on the current page: no serious or critical violations (WCAG 2.1 A/AA rules). */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = bad.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 3)
        .join(', ')}`,
  );
  expect(summary, `accessibility of ${label}`).toEqual([]);
}

/** A screenshot for docs/console/ (committed, shown in the README), when RENKEI_SCREENSHOTS is set. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!process.env.RENKEI_SCREENSHOTS) return;
  const dir = join(repoRoot, 'docs/console');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: false });
}
