/**
 * The dashboard, the operations guide and the code name the same series: a panel over a series nobody
 * records shows nothing, and a series missing from docs/operations.md is one an operator cannot find.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Every `renkei_*` series a source file registers (the name given to a metric helper). */
function seriesInCode(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir))) {
      const path = join(dir, entry);
      if (entry === 'node_modules' || entry === 'dist' || entry === 'generated') continue;
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (path.endsWith('.ts') && !path.endsWith('.spec.ts')) {
        for (const m of read(path).matchAll(
          /(?:sharedCounter|sharedHistogram|collectedGauge)\(\s*'(renkei_[a-z_]+)'/g,
        ))
          names.add(m[1]!);
      }
    }
  };
  walk('libs');
  walk('apps');
  return names;
}

const base = (series: string) => series.replace(/_(bucket|count|sum)$/, '');

describe('metrics: code, docs and dashboard agree', () => {
  const code = seriesInCode();
  // The series are named in the guide's "Metrics and traces" section (other sections name database roles
  // such as `renkei_registry`, which are not series).
  const guide = read('docs/operations.md');
  const metricsSection = guide.slice(
    guide.indexOf('## Metrics and traces'),
    guide.indexOf('\n## ', guide.indexOf('## Metrics and traces') + 1),
  );
  const docs = new Set([...metricsSection.matchAll(/`(renkei_[a-z_]+)`/g)].map((m) => m[1]!));

  it('documents every series the code registers, and no other', () => {
    expect(code.size).toBeGreaterThan(10);
    expect([...code].sort()).toEqual([...docs].sort());
  });

  it('charts only series the code registers', () => {
    const dashboard = JSON.parse(read('infra/grafana/renkei.json')) as {
      panels: { targets?: { expr: string }[] }[];
    };
    const charted = new Set(
      dashboard.panels
        .flatMap((p) => p.targets ?? [])
        .flatMap((t) => [...t.expr.matchAll(/\b(renkei_[a-z_]+)/g)].map((m) => base(m[1]!))),
    );
    expect(charted.size).toBeGreaterThan(10);
    for (const series of charted) expect(code, series).toContain(series);
  });
});
