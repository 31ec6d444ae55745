/**
 * A picture of the operations dashboard (infra/grafana/renkei.json) over a running platform: a real
 * Prometheus scrapes the real services, and every panel of the dashboard is drawn from that Prometheus
 * with the panel's own queries. Grafana itself is not installable on these machines (docs/operations.md,
 * "The dashboard, rendered"), so the panels are rendered here: the PromQL of each target (the dashboard's
 * `$job` variable set to All, `$__rate_interval` to 1m, `$__range` to the window) through Prometheus's
 * HTTP API (`/api/v1/query_range`), a vega-lite chart per time-series panel and the last value for a stat
 * panel, laid out on the dashboard's own grid, and a screenshot taken with Chromium (playwright-core).
 *
 * It starts Prometheus (`prometheus` on PATH, e.g. Debian's package; PROMETHEUS_BIN to choose another) with
 * a 5-second scrape of the four services at DASHBOARD_TARGET_BASE_PORT (+0 registry, +1 clearing,
 * +2 exchange, +3 cps-sim; default 5700, where `npm run bench:soak` runs them) under the job names of
 * infra/prometheus/prometheus.yml, lets it scrape for DASHBOARD_MINUTES (default 5), renders, and stops it.
 * With PROMETHEUS_URL set it uses that Prometheus instead and renders its last DASHBOARD_MINUTES.
 *
 * `npm run dashboard:snapshot` while a platform runs (e.g. during `npm run bench:soak`). Writes
 * docs/images/dashboard.png (and the page as .renkei/dashboard/dashboard.html).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { renderSvg } from './chart.js';

const here = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const log = (s: string) => console.error(`[dashboard] ${new Date().toISOString().slice(11, 19)} ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Panel {
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: { refId: string; expr: string; legendFormat?: string }[];
}

interface Series {
  metric: Record<string, string>;
  values: [number, string][];
}

const services = ['registry', 'clearing', 'exchange', 'cps-sim'] as const;

export function scrapeConfig(basePort: number, intervalSeconds = 5): string {
  return [
    'global:',
    `  scrape_interval: ${intervalSeconds}s`,
    `  evaluation_interval: ${intervalSeconds}s`,
    'scrape_configs:',
    ...services.flatMap((s, i) => [
      `  - job_name: renkei-${s}`,
      '    metrics_path: /metrics',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${basePort + i}']`,
      `        labels: { service: ${s} }`,
    ]),
    '',
  ].join('\n');
}

/** A panel's PromQL with the dashboard's variables set as the picture shows them. */
export function expand(expr: string, minutes: number): string {
  return expr
    .replaceAll('$job', '.*')
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__range', `${minutes}m`);
}

/** Grafana's legend format (`{{label}} text`) applied to a series' labels. */
export function legend(format: string | undefined, metric: Record<string, string>, refId: string): string {
  if (format) return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => metric[k] ?? '');
  const labels = Object.entries(metric).filter(([k]) => k !== '__name__');
  return labels.length ? labels.map(([k, v]) => `${k}=${v}`).join(', ') : refId;
}

/** Values in a unit people read at a glance: bytes as MiB, seconds as ms, ratios as %. */
function scaled(unit: string | undefined): { factor: number; title: string } {
  switch (unit) {
    case 'bytes':
      return { factor: 1 / 2 ** 20, title: 'MiB' };
    case 's':
      return { factor: 1000, title: 'ms' };
    case 'percentunit':
      return { factor: 100, title: '%' };
    case 'reqps':
      return { factor: 1, title: 'requests/s' };
    case 'ops':
      return { factor: 1, title: 'per second' };
    case undefined:
    default:
      return { factor: 1, title: unit && unit !== 'short' && unit !== 'none' ? unit : '' };
  }
}

async function queryRange(
  prom: string,
  expr: string,
  start: number,
  end: number,
  step: number,
): Promise<Series[]> {
  const url = new URL(`${prom}/api/v1/query_range`);
  url.search = new URLSearchParams({
    query: expr,
    start: String(start),
    end: String(end),
    step: String(step),
  }).toString();
  const res = await fetch(url);
  const body = (await res.json()) as { status: string; error?: string; data?: { result: Series[] } };
  if (body.status !== 'success') throw new Error(`Prometheus refused ${expr}: ${body.error}`);
  return body.data!.result;
}

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export async function renderDashboard(prom: string, minutes: number, out: string): Promise<void> {
  const dashboard = JSON.parse(readFileSync(`${here}/infra/grafana/renkei.json`, 'utf8')) as {
    title: string;
    panels: Panel[];
  };
  const end = Math.floor(Date.now() / 1000);
  const start = end - minutes * 60;
  const step = Math.max(5, Math.round((minutes * 60) / 120));
  const unitPx = 56; // one of the dashboard's 24 columns
  const rowPx = 30; // one grid row
  const parts: string[] = [];
  for (const panel of dashboard.panels) {
    const { x, y, w, h } = panel.gridPos;
    const style = `left:${x * unitPx}px;top:${y * rowPx}px;width:${w * unitPx - 8}px;height:${h * rowPx - 8}px`;
    if (panel.type === 'row') {
      parts.push(`<div class="row" style="${style}">${esc(panel.title)}</div>`);
      continue;
    }
    const { factor, title } = scaled(panel.fieldConfig?.defaults?.unit);
    const rows: { t: number; value: number; series: string }[] = [];
    for (const target of panel.targets ?? []) {
      const result = await queryRange(prom, expand(target.expr, minutes), start, end, step);
      for (const s of result) {
        const name = legend(target.legendFormat, s.metric, target.refId);
        for (const [t, v] of s.values) {
          const value = Number(v);
          if (Number.isFinite(value)) rows.push({ t: t * 1000, value: value * factor, series: name });
        }
      }
    }
    if (panel.type === 'stat') {
      const last = rows.filter((r) => r.t === Math.max(...rows.map((q) => q.t)));
      const value = last.length ? last.reduce((a, r) => a + r.value, 0) : null;
      const shown =
        value === null
          ? 'No data'
          : `${Number(value.toFixed(value < 10 ? 2 : 0)).toLocaleString('en')}${title ? ` ${title}` : ''}`;
      parts.push(
        `<div class="panel" style="${style}"><div class="title">${esc(panel.title)}</div><div class="stat${value === null ? ' none' : ''}">${esc(shown)}</div></div>`,
      );
      continue;
    }
    let body = '<div class="none">No data</div>';
    if (rows.length) {
      const svg = await renderSvg({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        width: w * unitPx - 80,
        height: Math.max(60, h * rowPx - 110),
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x: { field: 't', type: 'temporal', title: null, axis: { format: '%H:%M', tickCount: 5 } },
          y: { field: 'value', type: 'quantitative', title: title || null, axis: { format: ',.4~f' } },
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            legend: { orient: 'bottom', columns: 2, labelLimit: (w * unitPx) / 2 - 40 },
          },
        },
        config: {
          font: 'DejaVu Sans, sans-serif',
          view: { stroke: null },
          axis: { labelFontSize: 9, titleFontSize: 9 },
          legend: { labelFontSize: 9 },
        },
      } as never);
      body = svg;
    }
    parts.push(
      `<div class="panel" style="${style}"><div class="title">${esc(panel.title)}</div>${body}</div>`,
    );
  }
  const height = Math.max(...dashboard.panels.map((p) => (p.gridPos.y + p.gridPos.h) * rowPx));
  const html = `<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:0;background:#f4f5f5;font-family:'DejaVu Sans',sans-serif;color:#24292e}
header{padding:10px 16px;font-size:15px} header small{color:#666;font-size:11px;display:block;margin-top:2px}
.grid{position:relative;margin:0 12px 12px 12px;width:${24 * unitPx}px;height:${height}px}
.panel,.row{position:absolute;box-sizing:border-box}
.panel{background:#fff;border:1px solid #dcdee0;border-radius:3px;padding:4px 8px;overflow:hidden}
.row{font-weight:bold;font-size:13px;padding-top:8px}
.title{font-size:12px;font-weight:bold;margin-bottom:2px}
.stat{font-size:30px;color:#1a7f37;text-align:center;margin-top:14px}
.none{color:#999;font-size:12px;text-align:center;margin-top:20px}
</style></head><body><header>${esc(dashboard.title)} <small>infra/grafana/renkei.json, every panel's PromQL run against Prometheus
(${esc(prom)}) scraping the four services every 5 s; $job = All, $__rate_interval = 1m; ${new Date(start * 1000).toISOString().slice(0, 16)}–${new Date(end * 1000).toISOString().slice(11, 16)} UTC</small></header>
<div class="grid">${parts.join('\n')}</div></body></html>`;
  mkdirSync(`${here}/.renkei/dashboard`, { recursive: true });
  writeFileSync(`${here}/.renkei/dashboard/dashboard.html`, html);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
  try {
    const page = await browser.newPage({
      viewport: { width: 24 * unitPx + 24, height: 800 },
      deviceScaleFactor: 1,
    });
    // Generous timeouts: on a loaded machine Chromium takes its time.
    await page.setContent(html, { timeout: 180_000 });
    await page.screenshot({ path: out, fullPage: true, timeout: 180_000 });
  } finally {
    await browser.close();
  }
}

export async function dashboardSnapshot(): Promise<void> {
  const minutes = Number(process.env.DASHBOARD_MINUTES ?? 5);
  const out = `${here}/docs/images/dashboard.png`;
  mkdirSync(`${here}/docs/images`, { recursive: true });
  if (process.env.PROMETHEUS_URL) {
    await renderDashboard(process.env.PROMETHEUS_URL.replace(/\/$/, ''), minutes, out);
    log(`written ${out}`);
    return;
  }
  const port = Number(process.env.DASHBOARD_PROMETHEUS_PORT ?? 5790);
  const base = Number(process.env.DASHBOARD_TARGET_BASE_PORT ?? 5700);
  const dir = `${here}/.renkei/dashboard/prometheus-${Date.now()}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/prometheus.yml`, scrapeConfig(base));
  const prom = spawn(
    process.env.PROMETHEUS_BIN ?? 'prometheus',
    [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const errors: string[] = [];
  prom.stderr.on('data', (c: Buffer) => errors.push(c.toString()));
  const url = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (prom.exitCode !== null) throw new Error(`prometheus exited: ${errors.join('').slice(-2000)}`);
      const ok = await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error('prometheus did not become ready within 30 s');
      await sleep(250);
    }
    log(`Prometheus (pid ${prom.pid}) at ${url} scraping 127.0.0.1:${base}-${base + 3} for ${minutes} min`);
    await sleep(minutes * 60_000);
    const targets = (await (await fetch(`${url}/api/v1/targets`)).json()) as {
      data: { activeTargets: { labels: { job: string }; health: string; lastError: string }[] };
    };
    for (const t of targets.data.activeTargets)
      log(`target ${t.labels.job}: ${t.health}${t.lastError ? ` (${t.lastError})` : ''}`);
    await renderDashboard(url, minutes, out);
    log(`written ${out}`);
  } finally {
    prom.kill('SIGTERM');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await dashboardSnapshot();
