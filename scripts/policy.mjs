#!/usr/bin/env node
// Policy bundle: check (fmt, strict check against the wasm capabilities, tests with coverage) and build
// (compile policies/renkei to WebAssembly, revision = hash of the Rego sources).
//   node scripts/policy.mjs check | build
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'policies/renkei');
const out = join(root, 'policies/build');
const minCoverage = 90;
const opa = execFileSync(join(root, 'scripts/opa.sh'), {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
}).trim();
const run = (args, opts = {}) =>
  execFileSync(opa, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...opts });

function revision() {
  const hash = createHash('sha256');
  for (const f of readdirSync(src)
    .filter((f) => f.endsWith('.rego') && !f.endsWith('_test.rego'))
    .sort()) {
    hash
      .update(f)
      .update('\0')
      .update(readFileSync(join(src, f)))
      .update('\0');
  }
  return 'rego-' + hash.digest('hex').slice(0, 16);
}

function check() {
  run(['fmt', '--fail', '--list', 'policies/renkei']);
  run(['check', '--strict', '--capabilities', 'policies/capabilities.json', 'policies/renkei']);
  const report = JSON.parse(
    run(['test', '--coverage', '--format', 'json', 'policies/renkei'], { maxBuffer: 64 * 1024 * 1024 }),
  );
  run(['test', 'policies/renkei']);
  const coverage = report.coverage ?? 0;
  console.log(`[policy] opa fmt, check --strict and test passed; coverage ${coverage.toFixed(1)}%`);
  if (coverage < minCoverage) {
    console.error(
      `[policy] coverage ${coverage.toFixed(1)}% is below ${minCoverage}%: add tests for the uncovered rules`,
    );
    process.exit(1);
  }
}

function build() {
  mkdirSync(out, { recursive: true });
  const rev = revision();
  run([
    'build',
    '-t',
    'wasm',
    '-e',
    'renkei/decision',
    '--revision',
    rev,
    '--capabilities',
    'policies/capabilities.json',
    '-o',
    join(out, 'bundle.tar.gz'),
    'policies/renkei',
    '--ignore',
    '*_test.rego',
  ]);
  execFileSync('tar', ['-xzf', join(out, 'bundle.tar.gz'), '-C', out, '/policy.wasm'], { stdio: 'inherit' });
  writeFileSync(join(out, 'revision.txt'), rev + '\n');
  console.log(
    `[policy] compiled policies/renkei to ${join('policies/build', 'policy.wasm')} (revision ${rev})`,
  );
}

const cmd = process.argv[2];
if (cmd === 'check') check();
else if (cmd === 'build') build();
else {
  console.error('usage: node scripts/policy.mjs check|build');
  process.exit(2);
}
