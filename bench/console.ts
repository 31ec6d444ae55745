/**
 * The console's first load on loopback, in Debian's Chromium with a cold cache each time: how long until the
 * sign-in form is on screen, and how big the bundle is that the browser downloads first (raw, gzip, brotli).
 * The console server runs from the build with no services behind it: the first page needs none.
 * `npm run bench:console` (builds first); results in docs/bench/console-<date>.json.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { writeReport } from './report.js';
import { round, summarise } from './stats.js';

const root = new URL('../..', import.meta.url).pathname;
const runs = Number(process.env.RUNS ?? 15);
const port = Number(process.env.PORT ?? 4899);
const log = (s: string) => console.error(`[bench:console] ${s}`);

function bundle() {
  const dir = join(root, 'dist/console/assets');
  const html = readFileSync(join(root, 'dist/console/index.html'), 'utf8');
  const files = readdirSync(dir).filter((f) => !f.endsWith('.map'));
  const size = (f: string) => {
    const bytes = readFileSync(join(dir, f));
    return {
      file: f,
      raw: statSync(join(dir, f)).size,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes).length,
    };
  };
  const all = files.map(size);
  // What the first page loads: the entry script and stylesheet named in index.html (lazy pages come later).
  const initial = all.filter((s) => html.includes(`/assets/${s.file}`));
  const sum = (list: typeof all, k: 'raw' | 'gzip' | 'brotli') => list.reduce((a, s) => a + s[k], 0);
  const kib = (n: number) => round(n / 1024, 1);
  return {
    initial: initial.map((s) => ({ ...s, raw: kib(s.raw), gzip: kib(s.gzip), brotli: kib(s.brotli) })),
    initialKiB: {
      raw: kib(sum(initial, 'raw')),
      gzip: kib(sum(initial, 'gzip')),
      brotli: kib(sum(initial, 'brotli')),
    },
    allKiB: { raw: kib(sum(all, 'raw')), gzip: kib(sum(all, 'gzip')), files: all.length },
  };
}

const server = spawn(process.execPath, [join(root, 'dist/apps/console/src/server.js')], {
  env: {
    ...process.env,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    REGISTRY_URL: 'http://127.0.0.1:9',
    CLEARING_URL: 'http://127.0.0.1:9',
    EXCHANGE_URL: 'http://127.0.0.1:9',
    CPS_SIM_URL: 'http://127.0.0.1:9',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const url = `http://127.0.0.1:${port}/`;
for (let i = 0; i < 100; i++) {
  if (
    await fetch(`${url}health`).then(
      (r) => r.ok,
      () => false,
    )
  )
    break;
  await new Promise((r) => setTimeout(r, 100));
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
const samples = { domContentLoaded: [] as number[], load: [] as number[], signInVisible: [] as number[] };
try {
  for (let i = 0; i < runs + 2; i++) {
    const context = await browser.newContext(); // a cold cache every time
    const page = await context.newPage();
    await page.goto(url);
    await page.getByTestId('sign-in').waitFor();
    const t = await page.evaluate(() => {
      const entries = (
        performance as unknown as { getEntriesByType(type: string): unknown[] }
      ).getEntriesByType('navigation');
      const nav = entries[0] as {
        domContentLoadedEventEnd: number;
        loadEventEnd: number;
      };
      return { dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, visible: performance.now() };
    });
    await context.close();
    if (i < 2) continue; // warm the server and the browser process
    samples.domContentLoaded.push(t.dcl);
    samples.load.push(t.load);
    samples.signInVisible.push(t.visible);
  }
} finally {
  await browser.close();
  server.kill('SIGTERM');
}

const stat = (xs: number[]) => {
  const s = summarise(xs);
  return { p50: round(s.p50), p90: round(s.p90), max: round(s.max) };
};
const results = {
  runs,
  firstLoadMs: {
    domContentLoaded: stat(samples.domContentLoaded),
    load: stat(samples.load),
    signInVisible: stat(samples.signInVisible),
  },
  bundle: bundle(),
};
const { file } = writeReport('console', false, results);
console.log(JSON.stringify(results, null, 2));
log(`written to ${file}`);
