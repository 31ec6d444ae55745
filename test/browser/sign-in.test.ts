/**
 * Signing in: the key file is read in the browser, imported as a non-extractable key, and signs the client
 * assertion there. A wrong key is refused with a message that says what to do.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
const ADMIN_ID = 'consortium-admin';
import { participantKey, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import {
  expectAccessible,
  keyFile,
  launchBrowser,
  newContext,
  screenshot,
  signIn,
} from './support/browser.js';

describe('console sign-in', () => {
  let env: TestPlatform;
  let browser: Browser;
  let page: Page;
  let consoleUrl: string;

  beforeAll(async () => {
    env = await startTestPlatform('browser-sign-in', 4801, { console: true });
    consoleUrl = env.platform.endpoints.console!;
    browser = await launchBrowser();
    page = await (await newContext(browser)).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await env?.stop();
  });

  it('serves the app with a strict content security policy', async () => {
    const res = await fetch(consoleUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('signs the admin in with the key file, and the key stays non-extractable', async () => {
    await page.goto(consoleUrl);
    await expectAccessible(page, 'sign-in');
    await screenshot(page, 'sign-in');
    await signIn(page, consoleUrl, keyFile(ADMIN_ID, env.secrets.adminKey, 'Consortium admin'), {
      remember: true,
    });
    await expect.poll(() => page.getByTestId('who').textContent()).toBe('Consortium admin');
    await expectAccessible(page, 'home');
    // What the browser remembers is a CryptoKey nobody can export: not this page, not a script injected into it.
    const stored = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open('renkei-console');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(new Error('no db'));
      });
      const held = await new Promise<{ key: CryptoKey }>((resolve, reject) => {
        const r = db.transaction('keys').objectStore('keys').get('current');
        r.onsuccess = () => resolve(r.result as { key: CryptoKey });
        r.onerror = () => reject(new Error('no key'));
      });
      const exported = await crypto.subtle.exportKey('jwk', held.key).then(
        () => 'exported',
        (e: Error) => e.name,
      );
      return { extractable: held.key.extractable, usages: held.key.usages, exported };
    });
    expect(stored).toEqual({ extractable: false, usages: ['sign'], exported: 'InvalidAccessError' });
    // And a reload signs in again with the remembered key, without the file.
    await page.reload();
    await page.getByTestId('who').waitFor();
  });

  it('refuses a key the platform does not know, saying why', async () => {
    const context = await newContext(browser);
    const other = await context.newPage();
    await other.goto(consoleUrl);
    await other
      .locator('input[type=file]')
      .setInputFiles(keyFile(ADMIN_ID, await participantKey('stranger')));
    await other.getByTestId('sign-in').click();
    const problem = other.getByTestId('problem');
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/401/);
    await context.close();
  });

  it('shows Japanese to a Japanese browser', async () => {
    const context = await newContext(browser, { locale: 'ja-JP' });
    const ja = await context.newPage();
    await ja.goto(consoleUrl);
    await ja.getByText('参加者の鍵でサインイン').waitFor();
    expect(await ja.evaluate(() => document.documentElement.lang)).toBe('ja');
    await context.close();
  });
});
