/**
 * Clearing benchmarks, in one run on one machine (no services needed):
 *  1. in-process policy decisions through the compiled wasm (@open-policy-agent/opa-wasm), one core,
 *     decisions/s and p50/p99, plus a breakdown of where a decision's time goes;
 *  2. the OPA server (`opa run --server`) evaluating the same Rego over HTTP, sequential and with 16 in
 *     flight, after checking that it answers exactly what the wasm answers;
 *  3. token issue and verify rates (ES256 with jose), and the dataset-token path (decision + decision
 *     record + signature, and with the audit append as a PostgreSQL transaction on a scratch database).
 * Results go to docs/bench/clearing-<date>.json and a Markdown table on stdout.
 * Run with `npm run bench:clearing` (`-- --quick` for a short run; `--no-pg` skips PostgreSQL;
 * BENCH_POLICY_DIR / BENCH_REGO_DIR measure another compiled bundle / Rego source than policies/build and
 * policies/renkei).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, createPrivateKey, randomBytes, randomUUID, sign as cryptoSign } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import pg from 'pg';
import { batteryProjection } from './projection.js';
import {
  generatePrivateJwk,
  loadSigningKeys,
  TokenIssuer,
  TokenVerifier,
  type IssueRequest,
} from '@renkei/auth';
import { systemClock, type GrantView, type PlatformProjection } from '@renkei/domain';
import {
  buildPolicyInput,
  decisionRecord,
  PolicyEngine,
  readPolicyBundle,
  type DecisionRequest,
  type PolicyInput,
} from '@renkei/policy';
import { entryHash, GENESIS_HASH } from '../apps/clearing/src/audit/audit-log.js';
import { machine, writeReport } from './report.js';
import { percentile, round, summarise } from './stats.js';

const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const quick = process.argv.includes('--quick');
const withPg = !process.argv.includes('--no-pg');
const log = (s: string) => console.error(`[bench:clearing] ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const results: Record<string, unknown> = {};
const rows: { what: string; rate: string; p50: string; p99: string }[] = [];
const problems: string[] = [];
const ISSUER = 'urn:renkei:clearing';

// ---------------------------------------------------------------------------------------------------
// Measurement helpers
// ---------------------------------------------------------------------------------------------------

interface Measured {
  opsPerSecond: number;
  p50us: number;
  p90us: number;
  p99us: number;
  p999us: number;
  maxUs: number;
  n: number;
  /** Sync measurements: the rate of each of the untimed rounds (the reported rate is their median). */
  roundRates?: number[];
}

function summariseUs(samples: Float64Array, opsPerSecond: number): Measured {
  const s = Array.from(samples).sort((a, b) => a - b);
  const at = (p: number) => percentile(s, p);
  return {
    opsPerSecond: Math.round(opsPerSecond),
    p50us: round(at(50)),
    p90us: round(at(90)),
    p99us: round(at(99)),
    p999us: round(at(99.9)),
    maxUs: round(s[s.length - 1]!),
    n: s.length,
  };
}

/**
 * A synchronous operation on this (one) thread: a warm-up, then untimed rounds for the rate (no clock
 * reads inside; the median round is reported, since the shared VM's speed drifts), then a loop that times
 * every call for the latency distribution (GC pauses included).
 */
function measureSync(fn: () => unknown, n: number, warmup = Math.min(20_000, n)): Measured {
  for (let i = 0; i < warmup; i++) fn();
  const rounds = 5;
  const perRound = Math.ceil(n / rounds);
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < perRound; i++) fn();
    rates.push(perRound / ((performance.now() - t0) / 1000));
  }
  const sorted = [...rates].sort((a, b) => a - b);
  const samples = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    fn();
    samples[i] = (performance.now() - s) * 1000;
  }
  return { ...summariseUs(samples, sorted[rounds >> 1]!), roundRates: rates.map(Math.round) };
}

/** An async operation, `concurrency` callers each awaiting one at a time; latency per call. */
async function measureAsync(
  fn: () => Promise<unknown>,
  n: number,
  concurrency = 1,
  warmup = Math.min(2_000, n),
): Promise<Measured> {
  const run = async (total: number, samples: Float64Array | null) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          const i = next++;
          const s = performance.now();
          await fn();
          if (samples) samples[i] = (performance.now() - s) * 1000;
        }
      }),
    );
  };
  await run(warmup, null);
  const samples = new Float64Array(n);
  const t0 = performance.now();
  await run(n, samples);
  return summariseUs(samples, n / ((performance.now() - t0) / 1000));
}

const fmtRate = (x: number) =>
  x >= 10_000 ? `${round(x / 1000, 1)}k/s` : x >= 1000 ? `${round(x / 1000, 2)}k/s` : `${Math.round(x)}/s`;
const fmtUs = (x: number) => (x >= 1000 ? `${round(x / 1000, 2)} ms` : `${round(x, 1)} µs`);

function record(key: string, what: string, m: Measured, extra: Record<string, unknown> = {}) {
  results[key] = { ...m, ...extra };
  rows.push({ what, rate: fmtRate(m.opsPerSecond), p50: fmtUs(m.p50us), p99: fmtUs(m.p99us) });
  log(`${what}: ${fmtRate(m.opsPerSecond)}, p50 ${fmtUs(m.p50us)}, p99 ${fmtUs(m.p99us)}`);
}

// ---------------------------------------------------------------------------------------------------
// Fixture: the battery CFP scenario as the services see it (a projection, inputs from buildPolicyInput)
// ---------------------------------------------------------------------------------------------------

function projection(): PlatformProjection {
  const state = batteryProjection([
    ['cell', 'battery-cells'],
    ['auto', 'automotive'],
    ['rival', 'battery-cells'],
  ]);
  return state;
}

const grant = (over: Partial<GrantView> = {}): GrantView => ({
  id: 'g-auto',
  state: 'granted',
  originator: 'cell',
  consumer: 'auto',
  dataset: 'battery.cfp',
  purpose: 'cfp-disclosure',
  fields: null,
  validFrom: '2026-01-01T00:00:00Z',
  validUntil: null,
  changedAt: '2026-01-01T00:00:00Z',
  ...over,
});

/** The measured inputs and a few more (denies, obligations) that the OPA server must answer identically. */
function scenarios(): Record<string, DecisionRequest> {
  const now = new Date();
  return {
    // `subjects: {}`: a batch whose records name no person (battery lots), so no consent is needed.
    deliver: {
      action: 'deliver',
      subjectId: 'auto',
      dataset: 'battery.cfp',
      grant: grant(),
      subjects: {},
      delivery: { publishedFrom: now.getTime() },
      now,
    },
    'grant.request': {
      action: 'grant.request',
      subjectId: 'auto',
      dataset: 'battery.cfp',
      purpose: 'cfp-disclosure',
      now,
    },
    'token.issue': {
      action: 'token.issue',
      subjectId: 'auto',
      dataset: 'battery.cfp',
      grant: grant(),
      purpose: 'cfp-disclosure',
      now,
    },
    'deliver (competitor: unitPriceJpy dropped)': {
      action: 'deliver',
      subjectId: 'rival',
      dataset: 'battery.cfp',
      grant: grant({ id: 'g-rival', consumer: 'rival' }),
      subjects: {},
      delivery: { publishedFrom: now.getTime() },
      now,
    },
    'deliver (revoked grant: deny)': {
      action: 'deliver',
      subjectId: 'auto',
      dataset: 'battery.cfp',
      grant: grant({ state: 'revoked' }),
      subjects: {},
      delivery: { publishedFrom: now.getTime() },
      now,
    },
    'grant.request (owner: deny)': {
      action: 'grant.request',
      subjectId: 'cell',
      dataset: 'battery.cfp',
      purpose: 'marketing',
      now,
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// 1. In-process wasm
// ---------------------------------------------------------------------------------------------------

interface WasmExports {
  opa_eval: (
    reserved: number,
    entrypoint: number,
    data: number,
    input: number,
    inputLen: number,
    heap: number,
    format: number,
  ) => number;
  opa_json_parse: (addr: number, len: number) => number;
  opa_json_dump: (value: number) => number;
  opa_heap_ptr_get: () => number;
  opa_heap_ptr_set: (addr: number) => void;
  opa_eval_ctx_new: () => number;
  opa_eval_ctx_set_input: (ctx: number, value: number) => void;
  opa_eval_ctx_set_data: (ctx: number, value: number) => void;
  opa_eval_ctx_set_entrypoint: (ctx: number, entrypoint: number) => void;
  opa_eval_ctx_get_result: (ctx: number) => number;
  eval: (ctx: number) => number;
}

/**
 * The opa-wasm SDK's ABI 1.2 fast path without its per-call overheads: the input is encoded straight
 * into wasm memory (no intermediate buffer, one TextEncoder), the result's end is found with indexOf
 * instead of a byte loop, and one TextDecoder is reused. Same wasm call, same result.
 */
function leanEvaluator(policy: LoadedPolicy) {
  // LoadedPolicy keeps the Instance itself (it unwraps {module, instance} in its constructor).
  const exports = (policy.wasmInstance as unknown as { exports: WasmExports }).exports;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const mem = policy.mem as unknown as { buffer: ArrayBuffer; grow(pages: number): number };
  const base = policy.dataHeapPtr as number;
  if (!((policy.minorVersion as number) >= 2)) throw new Error('the policy wasm predates ABI 1.2');
  const write = (json: string | Uint8Array): number => {
    const worst = typeof json === 'string' ? json.length * 3 : json.byteLength;
    const short = base + worst - mem.buffer.byteLength;
    if (short > 0) mem.grow(Math.ceil(short / 65536));
    const view = new Uint8Array(mem.buffer);
    if (typeof json !== 'string') {
      view.set(json, base);
      return json.byteLength;
    }
    return encoder.encodeInto(json, view.subarray(base)).written;
  };
  const evalRaw = (len: number) => exports.opa_eval(0, 0, policy.dataAddr, base, len, base + len, 0);
  const read = (addr: number): unknown => {
    const view = new Uint8Array(mem.buffer);
    return JSON.parse(decoder.decode(view.subarray(addr, view.indexOf(0, addr))));
  };
  return {
    /** A JSON string (serialised by the caller) or its UTF-8 bytes. */
    evaluate: (json: string | Uint8Array) => read(evalRaw(write(json))),
    /** Only the wasm call, with an input already written: parse input, evaluate, serialise result. */
    prepare: (json: string) => {
      const len = write(json);
      return () => evalRaw(len);
    },
    /** Only the wasm's JSON parse of the input (what every opa_eval starts with). */
    parseOnly: (json: string) => {
      const len = write(json);
      return () => {
        exports.opa_heap_ptr_set(base + len);
        return exports.opa_json_parse(base, len);
      };
    },
    /**
     * The pre-1.2 ABI with the input parsed into wasm memory once and reused: evaluate and read the
     * result, no input serialisation or parsing. Only a bound (inputs change with every call).
     */
    parsedOnce: (json: string) => {
      const len = write(json);
      exports.opa_heap_ptr_set(base + len);
      const inputAddr = exports.opa_json_parse(base, len);
      const heap = exports.opa_heap_ptr_get();
      return () => {
        exports.opa_heap_ptr_set(heap);
        const ctx = exports.opa_eval_ctx_new();
        exports.opa_eval_ctx_set_input(ctx, inputAddr);
        exports.opa_eval_ctx_set_data(ctx, policy.dataAddr);
        exports.opa_eval_ctx_set_entrypoint(ctx, 0);
        exports.eval(ctx);
        return read(exports.opa_json_dump(exports.opa_eval_ctx_get_result(ctx)));
      };
    },
  };
}

async function wasmBench(bundleDir: string) {
  const bundle = await readPolicyBundle(bundleDir);
  const engine = await PolicyEngine.load(bundle);
  const raw = await loadPolicy(bundle.wasm);
  const state = projection();
  const reqs = scenarios();
  const inputs = Object.fromEntries(
    Object.entries(reqs).map(([k, r]) => [k, buildPolicyInput(state, r)]),
  ) as Record<string, PolicyInput>;
  const deliver = inputs.deliver!;
  const request = inputs['grant.request']!;

  // The build may be mid-change (policy or input being extended): refuse to measure a broken policy.
  const d = engine.decide(deliver);
  const g = engine.decide(request);
  if (!d.allow || !g.allow) {
    throw new Error(
      `the fixture is not allowed by the current policy (deliver: ${d.reasons.join(',')}; grant.request: ${g.reasons.join(',')}); rebuild or retry`,
    );
  }
  const lean = leanEvaluator(raw);
  for (const [k, input] of Object.entries(inputs)) {
    const json = JSON.stringify(input);
    const a = (raw.evaluate(input) as { result: unknown }[])[0]?.result;
    const b = (lean.evaluate(json) as { result: unknown }[])[0]?.result;
    if (!isDeepStrictEqual(a, b)) problems.push(`lean evaluator differs from the SDK on '${k}'`);
  }

  const n = quick ? 20_000 : 200_000;
  const deliverJson = JSON.stringify(deliver);
  const requestJson = JSON.stringify(request);
  const deliverBytes = new TextEncoder().encode(deliverJson);
  const deliverBuf = deliverBytes.buffer.slice(0);
  results.inputBytes = { deliver: deliverBytes.byteLength, 'grant.request': requestJson.length };

  record(
    'wasmDeliver',
    'wasm in process: deliver decision (PolicyEngine.decide)',
    measureSync(() => engine.decide(deliver), n),
  );
  record(
    'wasmGrantRequest',
    'wasm in process: grant.request decision (PolicyEngine.decide)',
    measureSync(() => engine.decide(request), n),
  );
  const sc = scenarios();
  record(
    'wasmDeliverWithInput',
    'wasm in process: deliver, buildPolicyInput + decide (fresh input each call)',
    measureSync(() => engine.decide(buildPolicyInput(state, { ...sc.deliver!, now: new Date() })), n),
  );

  // Where a decision's time goes (deliver input), and what the SDK's own options and a leaner call save.
  const breakdown: Record<string, Measured> = {};
  const part = (key: string, what: string, fn: () => unknown) => {
    const m = measureSync(fn, n);
    breakdown[key] = m;
    rows.push({ what: `↳ ${what}`, rate: fmtRate(m.opsPerSecond), p50: fmtUs(m.p50us), p99: fmtUs(m.p99us) });
    log(`  ${what}: ${fmtRate(m.opsPerSecond)}, p50 ${fmtUs(m.p50us)}, p99 ${fmtUs(m.p99us)}`);
    return m;
  };
  log('breakdown of a deliver decision:');
  rows.push({ what: 'breakdown of the deliver decision (↳ rows):', rate: '', p50: '', p99: '' });
  part('sdkEvaluateObject', 'SDK evaluate(object) (what decide() calls)', () => raw.evaluate(deliver));
  part('jsonStringify', 'JSON.stringify(input) alone', () => JSON.stringify(deliver));
  part('sdkEvaluatePreserialised', 'SDK evaluate(ArrayBuffer), input serialised once', () =>
    raw.evaluate(deliverBuf),
  );
  part('leanStringify', 'lean evaluate(JSON.stringify(input))', () => lean.evaluate(JSON.stringify(deliver)));
  part('leanPreserialised', 'lean evaluate(bytes), input serialised once', () => lean.evaluate(deliverBytes));
  part(
    'wasmCallOnly',
    'opa_eval alone (wasm parses input, evaluates, dumps result)',
    lean.prepare(deliverJson),
  );
  part('wasmParseOnly', 'opa_json_parse of the input alone (inside wasm)', lean.parseOnly(deliverJson));
  part(
    'parsedOnceEvalOnly',
    'input parsed once and reused: eval + result read only (a bound)',
    lean.parsedOnce(deliverJson),
  );
  results.wasmBreakdown = breakdown;
}

// ---------------------------------------------------------------------------------------------------
// 2. OPA server over HTTP, same policy
// ---------------------------------------------------------------------------------------------------

function opaBinary(): string {
  if (process.env.OPA_BIN) return process.env.OPA_BIN;
  return execFileSync(join(root, 'scripts/opa.sh'), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Copies the policy's Rego sources (tests left out) to a temporary directory, so that edits made to
 * policies/renkei while the benchmark runs cannot change what the server loads, and computes their
 * revision as scripts/policy.mjs does. (The compiled bundle's own Rego cannot be served instead: the wasm
 * build strips the entrypoint rules from it, since policy.wasm answers them.)
 */
function snapshotRego(dir: string, copy: string): string {
  mkdirSync(copy);
  const hash = createHash('sha256');
  for (const f of readdirSync(dir)
    .filter((f) => f.endsWith('.rego') && !f.endsWith('_test.rego'))
    .sort()) {
    const text = readFileSync(join(dir, f));
    writeFileSync(join(copy, f), text);
    hash.update(f).update('\0').update(text).update('\0');
  }
  return 'rego-' + hash.digest('hex').slice(0, 16);
}

let opaChild: ChildProcess | null = null;
const killOpa = () => {
  if (opaChild && opaChild.exitCode === null && opaChild.signalCode === null) opaChild.kill('SIGKILL');
};
process.on('exit', killOpa);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killOpa();
    process.exit(130);
  });
}

async function opaBench(bundleDir: string, regoSource: string, opa: string) {
  const bundle = await readPolicyBundle(bundleDir);
  const work = mkdtempSync(join(os.tmpdir(), 'renkei-bench-opa-'));
  const regoDir = join(work, 'rego');
  const rego = { revision: snapshotRego(regoSource, regoDir) };
  results.opaServerPolicy = {
    loaded: `Rego source (${regoSource.replace(root + '/', '')}, tests excluded), copied at start`,
    revision: rego.revision,
    sameRevisionAsWasm: rego.revision === bundle.revision,
  };
  if (rego.revision !== bundle.revision) {
    problems.push(
      `the Rego source (${rego.revision}) is not what policy.wasm was compiled from (${bundle.revision}): run npm run policy:build`,
    );
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    opa,
    [
      'run',
      '--server',
      '--addr',
      `127.0.0.1:${port}`,
      '--log-level',
      'error',
      '--skip-version-check',
      '--disable-telemetry',
      '--shutdown-grace-period',
      '1',
      regoDir,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  opaChild = child;
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  try {
    const started = performance.now();
    for (;;) {
      if (child.exitCode !== null) throw new Error(`opa exited (${child.exitCode}): ${stderr.trim()}`);
      if (performance.now() - started > 20_000)
        throw new Error(`opa did not become healthy: ${stderr.trim()}`);
      const ok = await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await sleep(50);
    }
    log(`OPA server ready on ${url} after ${Math.round(performance.now() - started)} ms`);

    const wasm = await loadPolicy(bundle.wasm);
    const state = projection();
    const inputs = Object.fromEntries(
      Object.entries(scenarios()).map(([k, r]) => [k, buildPolicyInput(state, r)]),
    ) as Record<string, PolicyInput>;

    const post = async (body: string, query = '') => {
      const res = await fetch(`${url}/v1/data/renkei/decision${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      if (!res.ok) throw new Error(`OPA answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as { result?: unknown; metrics?: Record<string, number> };
    };

    // Same input, same answer?
    const compared: Record<string, boolean> = {};
    for (const [k, input] of Object.entries(inputs)) {
      const fromWasm = (wasm.evaluate(input) as { result: unknown }[])[0]?.result;
      const fromOpa = (await post(JSON.stringify({ input }))).result;
      if (fromOpa === undefined) throw new Error(`the OPA server has no renkei/decision for '${k}'`);
      compared[k] = isDeepStrictEqual(fromWasm, fromOpa);
      if (!compared[k]) {
        problems.push(`OPA server and wasm disagree on '${k}'`);
        log(`MISMATCH on '${k}': wasm ${JSON.stringify(fromWasm)} vs OPA ${JSON.stringify(fromOpa)}`);
      }
    }
    const same = Object.values(compared).every(Boolean);
    log(
      same
        ? `OPA server and wasm agree on all ${Object.keys(compared).length} inputs`
        : 'OPA and wasm DISAGREE',
    );

    // OPA's own evaluator on the same Rego and input in one process (`opa bench`): no HTTP, no JSON over
    // a socket. It separates the evaluator's cost from the server's.
    writeFileSync(join(work, 'deliver.json'), JSON.stringify(inputs.deliver));
    const ob = JSON.parse(
      execFileSync(
        opa,
        [
          'bench',
          '--format',
          'json',
          '-d',
          regoDir,
          '-i',
          join(work, 'deliver.json'),
          'data.renkei.decision',
        ],
        { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
      ),
    ) as { N: number; T: number; MemAllocs: number; MemBytes: number; Extra: Record<string, number> };
    const h = (k: string) => (ob.Extra[`histogram_timer_rego_query_eval_ns_${k}`] ?? NaN) / 1000;
    const goEval: Measured = {
      opsPerSecond: Math.round(ob.N / (ob.T / 1e9)),
      p50us: round(h('median')),
      p90us: round(h('90%')),
      p99us: round(h('99%')),
      p999us: round(h('99.9%')),
      maxUs: round(h('max')),
      n: ob.N,
    };
    record('opaGoEvaluatorDeliver', 'OPA Go evaluator in process (opa bench): deliver, no HTTP', goEval, {
      allocsPerOp: Math.round(ob.MemAllocs / ob.N),
      bytesPerOp: Math.round(ob.MemBytes / ob.N),
    });

    const deliverBody = JSON.stringify({ input: inputs.deliver });
    const requestBody = JSON.stringify({ input: inputs['grant.request'] });
    const nSeq = quick ? 2_000 : 10_000;
    const nConc = quick ? 5_000 : 40_000;
    const call = (body: string) => () => post(body);
    record(
      'opaHttpDeliverSequential',
      'OPA server over HTTP: deliver, sequential',
      await measureAsync(call(deliverBody), nSeq, 1, 500),
    );
    record(
      'opaHttpGrantRequestSequential',
      'OPA server over HTTP: grant.request, sequential',
      await measureAsync(call(requestBody), nSeq, 1, 500),
    );
    record(
      'opaHttpDeliverConcurrent16',
      'OPA server over HTTP: deliver, 16 in flight',
      await measureAsync(call(deliverBody), nConc, 16, 1_000),
      { concurrency: 16 },
    );

    // What the server itself spends per request (its own metrics), to split HTTP from evaluation.
    const metrics: Record<string, number[]> = {};
    for (let i = 0; i < (quick ? 300 : 2_000); i++) {
      const m = (await post(deliverBody, '?metrics=true')).metrics ?? {};
      for (const [k, v] of Object.entries(m)) (metrics[k] ??= []).push(v / 1000);
    }
    results.opaServerMetricsUs = Object.fromEntries(
      Object.entries(metrics).map(([k, v]) => {
        const s = summarise(v);
        return [k.replace(/_ns$/, ''), { p50: round(s.p50), p99: round(s.p99) }];
      }),
    );
    results.opaServer = {
      sameResultAsWasm: same,
      compared,
      args: child.spawnargs.slice(1),
      client: `Node ${process.version} fetch (undici), keep-alive, default global dispatcher`,
    };
  } finally {
    child.kill('SIGTERM');
    await Promise.race([new Promise((r) => child.once('exit', r)), sleep(3000)]);
    killOpa();
    opaChild = null;
    rmSync(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------
// 3. Tokens
// ---------------------------------------------------------------------------------------------------

function adminDatabaseUrl(): string | null {
  if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
  try {
    return execFileSync(join(root, 'scripts/postgres.sh'), ['url'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** A throwaway database with a table shaped like clearing.audit_log; the project's schemas are not touched. */
async function scratchDatabase(adminUrl: string) {
  const name = `renkei_bench_scratch_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: u.toString(), max: 8 });
  pool.on('error', () => undefined); // idle clients are cut off when the scratch database is dropped
  await pool.query(`
    CREATE TABLE audit_log (
      seq bigint PRIMARY KEY, id uuid NOT NULL UNIQUE, kind text NOT NULL, at timestamptz(3) NOT NULL,
      actor_id text NOT NULL, dataset text, grant_id text, allow boolean, payload jsonb NOT NULL,
      prev_hash text NOT NULL, hash text NOT NULL);
    CREATE INDEX ON audit_log (kind, at);
    CREATE INDEX ON audit_log (dataset, at);
    CREATE INDEX ON audit_log (actor_id, at);`);
  const version = (await pool.query<{ server_version: string }>('SHOW server_version')).rows[0]!
    .server_version;
  return {
    pool,
    version,
    drop: async () => {
      await pool.end();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        // An autovacuum worker may still be on the new table, and this role may not terminate it
        // (WITH (FORCE) fails then): wait for it to finish.
        for (let attempt = 1; ; attempt++) {
          try {
            await c.query(`DROP DATABASE IF EXISTS "${name}"`);
            return;
          } catch (error) {
            if (attempt >= 40) {
              log(`could not drop the scratch database ${name}: ${String(error)}; drop it by hand`);
              return;
            }
            await sleep(250);
          }
        }
      } finally {
        await c.end();
      }
    },
  };
}

interface AuditRow {
  id: string;
  kind: string;
  at: Date;
  actorId: string;
  dataset: string | null;
  grantId: string | null;
  allow: boolean | null;
  payload: unknown;
}

/** appendAudit's work with pg instead of Prisma: lock, read the head, hash-chain, insert, commit. */
async function appendAuditPg(pool: pg.Pool, entries: AuditRow[]) {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query("SELECT pg_advisory_xact_lock(hashtext('renkei.bench.audit'))");
    const head = await c.query<{ seq: string; hash: string }>(
      'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
    );
    let seq = BigInt(head.rows[0]?.seq ?? 0);
    let prevHash = head.rows[0]?.hash ?? GENESIS_HASH;
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (const e of entries) {
      seq += 1n;
      const hash = entryHash(prevHash, { ...e, seq });
      const b = values.length;
      tuples.push(`(${Array.from({ length: 11 }, (_, k) => `$${b + k + 1}`).join(',')})`);
      values.push(seq.toString(), e.id, e.kind, e.at, e.actorId, e.dataset, e.grantId, e.allow);
      values.push(JSON.stringify(e.payload), prevHash, hash);
      prevHash = hash;
    }
    await c.query(
      `INSERT INTO audit_log (seq,id,kind,at,actor_id,dataset,grant_id,allow,payload,prev_hash,hash) VALUES ${tuples.join(',')}`,
      values,
    );
    await c.query('COMMIT');
  } catch (error) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    c.release();
  }
}

async function tokenBench(bundleDir: string) {
  const keys = await loadSigningKeys(JSON.stringify([await generatePrivateJwk('bench')]));
  const issuer = new TokenIssuer(keys, ISSUER, systemClock);
  const verifier = TokenVerifier.local(issuer.jwks, ISSUER, systemClock);
  const req: IssueRequest = {
    subject: 'auto',
    audience: 'exchange',
    scopes: ['subscribe:battery.cfp'],
    ttlSeconds: 300,
    dataset: 'battery.cfp',
    grant: 'g-auto',
    purpose: 'cfp-disclosure',
  };
  const n = quick ? 3_000 : 20_000;
  record(
    'tokenSignSequential',
    'token issue, ES256 sign only (TokenIssuer, jose), sequential',
    await measureAsync(() => issuer.issue(req), n),
  );
  record(
    'tokenSignConcurrent16',
    'token issue, ES256 sign only, 16 in flight',
    await measureAsync(() => issuer.issue(req), n, 16),
    { concurrency: 16 },
  );
  const { token } = await issuer.issue(req);
  await verifier.verify(token, 'exchange');
  record(
    'tokenVerifySequential',
    'token verify (TokenVerifier.local), sequential',
    await measureAsync(() => verifier.verify(token, 'exchange'), n),
  );
  record(
    'tokenVerifyConcurrent16',
    'token verify, 16 in flight',
    await measureAsync(() => verifier.verify(token, 'exchange'), n, 16),
    { concurrency: 16 },
  );

  // Reference: a synchronous ES256 signature with node:crypto on the same key (jose goes through WebCrypto).
  const jwk = JSON.parse(JSON.stringify(await generatePrivateJwk('ref'))) as Record<string, string>;
  const keyObject = createPrivateKey({ key: jwk, format: 'jwk' });
  const signingInput = Buffer.from(token.split('.').slice(0, 2).join('.'));
  record(
    'es256SignNodeCryptoSync',
    'reference: ES256 signature alone, node:crypto sign (sync)',
    measureSync(
      () => cryptoSign('sha256', signingInput, { key: keyObject, dsaEncoding: 'ieee-p1363' }),
      n,
      500,
    ),
  );

  // The dataset-token path without the services: input, decision, decision record, signature.
  const engine = await PolicyEngine.load(await readPolicyBundle(bundleDir));
  const state = projection();
  const issueToken = async () => {
    const input = buildPolicyInput(state, {
      action: 'token.issue',
      subjectId: 'auto',
      dataset: 'battery.cfp',
      grant: grant(),
      purpose: 'cfp-disclosure',
      now: new Date(),
    });
    const result = engine.decide(input);
    const rec = decisionRecord('clearing', input, result, engine.revision);
    if (!result.allow) throw new Error(`token.issue denied: ${result.reasons.join(',')}`);
    const issued = await issuer.issue(req);
    return { rec, issued, at: new Date(input.now) };
  };
  record(
    'datasetTokenNoDb',
    'dataset token: decision + record + sign (no audit append), sequential',
    await measureAsync(issueToken, n),
  );

  if (!withPg) {
    results.datasetTokenWithAudit = { skipped: '--no-pg' };
    return;
  }
  const adminUrl = adminDatabaseUrl();
  let db: Awaited<ReturnType<typeof scratchDatabase>> | null = null;
  try {
    if (!adminUrl) throw new Error('no TEST_DATABASE_URL and scripts/postgres.sh url failed');
    db = await scratchDatabase(adminUrl);
  } catch (error) {
    results.datasetTokenWithAudit = { skipped: `PostgreSQL not reachable: ${String(error)}` };
    log(`audit append skipped: ${String(error)}`);
    return;
  }
  try {
    results.postgres = {
      version: db.version,
      database: 'scratch database with a table shaped like clearing.audit_log, dropped afterwards',
      client: 'node-postgres, one transaction per token (the service uses a Prisma interactive transaction)',
    };
    const full = async () => {
      const { rec, issued, at } = await issueToken();
      await appendAuditPg(db.pool, [
        {
          id: rec.decisionId,
          kind: 'decision',
          at,
          actorId: rec.requestedBy,
          dataset: rec.dataset,
          grantId: rec.grantId,
          allow: rec.allow,
          payload: rec,
        },
        {
          id: randomUUID(),
          kind: 'token.issued',
          at,
          actorId: 'auto',
          dataset: 'battery.cfp',
          grantId: 'g-auto',
          allow: true,
          payload: {
            jti: issued.claims.jti,
            aud: issued.claims.aud,
            scope: issued.claims.scope,
            exp: issued.claims.exp,
            decisionId: rec.decisionId,
          },
        },
      ]);
    };
    const nDb = quick ? 500 : 3_000;
    record(
      'datasetTokenWithAuditSequential',
      'dataset token + audit append (PostgreSQL tx, 2 rows), sequential',
      await measureAsync(full, nDb, 1, 100),
    );
    record(
      'datasetTokenWithAuditConcurrent8',
      'dataset token + audit append, 8 in flight (pool of 8)',
      await measureAsync(full, nDb, 8, 100),
      { concurrency: 8 },
    );
  } finally {
    await db.drop();
  }
}

// ---------------------------------------------------------------------------------------------------

async function main() {
  const bundleDir = process.env.BENCH_POLICY_DIR ?? `${root}/policies/build`;
  const opa = opaBinary();
  const opaVersion = /Version: (\S+)/.exec(execFileSync(opa, ['version'], { encoding: 'utf8' }))?.[1];
  const bundle = await readPolicyBundle(bundleDir);
  results.policy = { revision: bundle.revision, wasmBytes: bundle.wasm.byteLength };
  await wasmBench(bundleDir);
  await opaBench(bundleDir, process.env.BENCH_REGO_DIR ?? `${root}/policies/renkei`, opa);
  await tokenBench(bundleDir);

  const host = { ...machine(), opa: opaVersion };
  const { file } = writeReport('clearing', quick, results, { machine: { opa: opaVersion }, problems });

  const w = [4, 9, 9, 9].map((_, i) =>
    Math.max(
      ...rows.map((r) => [r.what, r.rate, r.p50, r.p99][i]!.length),
      ['what', 'rate', 'p50', 'p99'][i]!.length,
    ),
  );
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(w[i]!)).join(' | ')} |`;
  console.log(
    `\n${host.cpus} × ${host.cpuModel}, ${host.memoryGiB} GiB, Node ${host.node}, OPA ${host.opa}, policy ${bundle.revision}${quick ? ' (quick)' : ''}\n`,
  );
  console.log(line(['what', 'rate', 'p50', 'p99']));
  console.log(`|${w.map((x) => '-'.repeat(x + 2)).join('|')}|`);
  for (const r of rows) console.log(line([r.what, r.rate, r.p50, r.p99]));
  log(`written to ${file}`);
  if (problems.length) {
    for (const p of problems) log(`PROBLEM: ${p}`);
    process.exitCode = 1;
  }
}

try {
  await main();
} catch (error) {
  killOpa();
  console.error(error);
  process.exitCode = 1;
}
