/**
 * Registry benchmarks, in process (no infrastructure): schema compatibility checks per second (what every
 * new contract version costs) and event validations per second (what the exchange spends on each event,
 * with the validator compiled once per contract version and cached). Measured with tinybench; results go
 * to docs/bench/registry-<date>.json and a Markdown table on stdout. Run with `npm run bench:registry`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Bench } from 'tinybench';
import { checkCompatibility, type VersionedSchema } from '@renkei/contracts';
import { compileContractSchema, linearRegExp, validatePayload, type CompatibilityMode } from '@renkei/domain';
import { batteryCfpContract } from '../test/fixtures/battery-cfp.js';
import { machine, writeReport } from './report.js';

const root = new URL('../..', import.meta.url).pathname;
const quick = process.argv.includes('--quick');
const time = quick ? 300 : 2_000;
const log = (s: string) => console.error(`[bench:registry] ${s}`);

interface Fixture {
  mode: CompatibilityMode;
  history: VersionedSchema[];
  next: VersionedSchema;
}

function fixtures(): Fixture[] {
  const dir = `${root}/test/fixtures/compatibility`;
  return ['ok', 'not-ok'].flatMap((kind) =>
    readdirSync(`${dir}/${kind}`)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(`${dir}/${kind}/${f}`, 'utf8')) as Fixture),
  );
}

/** A realistic wide contract: 40 fields of mixed types, nested lines, enums and ranges. */
function wideSchema(extra: Record<string, unknown> = {}, required: string[] = []) {
  const properties: Record<string, unknown> = {};
  for (let i = 0; i < 30; i++) {
    properties[`metric${i}`] =
      i % 3 === 0
        ? { type: 'number', minimum: 0, maximum: 1e6 }
        : i % 3 === 1
          ? { type: 'string', maxLength: 64 }
          : { type: 'string', enum: ['NMC811', 'LFP', 'NCA', 'LMFP'] };
  }
  properties.lines = {
    type: 'array',
    maxItems: 500,
    items: {
      type: 'object',
      required: ['sku', 'qtyKg'],
      additionalProperties: false,
      properties: {
        sku: { type: 'string' },
        qtyKg: { type: 'number', minimum: 0 },
        origin: { type: ['string', 'null'], pattern: '^[A-Z]{2}$' },
      },
    },
  };
  return {
    type: 'object',
    required: ['metric0', 'metric1', ...required],
    additionalProperties: false,
    properties: { ...properties, ...extra },
  };
}

const results: Record<string, unknown> = {};
const table: string[] = [];

async function compatibilityBench() {
  const all = fixtures();
  const wideV1 = wideSchema();
  const wideV2 = wideSchema({ plantId: { type: 'string' } });
  const wideBreaking = wideSchema({ plantId: { type: 'string' } }, ['plantId']);
  const history10 = Array.from({ length: 10 }, (_, i) => ({ version: `1.${i}.0`, schema: wideV1 }));
  const bench = new Bench({ name: 'compatibility', time });
  bench
    .add(`golden fixtures (${all.length} checks per iteration)`, () => {
      for (const f of all) checkCompatibility(f.mode, f.history, f.next);
    })
    .add('40-field contract, compatible change, FULL', () => {
      checkCompatibility('FULL', [{ version: '1.0.0', schema: wideV1 }], {
        version: '1.1.0',
        schema: wideV2,
      });
    })
    .add('40-field contract, breaking change, FULL', () => {
      checkCompatibility('FULL', [{ version: '1.0.0', schema: wideV1 }], {
        version: '2.0.0',
        schema: wideBreaking,
      });
    })
    .add('40-field contract, FULL_TRANSITIVE over 10 versions', () => {
      checkCompatibility('FULL_TRANSITIVE', history10, { version: '1.10.0', schema: wideV2 });
    });
  await bench.run();
  const rows = bench.tasks.map((task) => {
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state}`);
    const perIteration = task.name.startsWith('golden') ? all.length : 1;
    return {
      task: task.name,
      checksPerSecond: Math.round(r.throughput.mean * perIteration),
      p99MicrosPerIteration: Math.round(r.latency.p99 * 1000 * 10) / 10,
      samples: r.latency.samplesCount,
    };
  });
  results.compatibility = rows;
  for (const row of rows) {
    table.push(
      `| compatibility: ${row.task} | ${row.checksPerSecond.toLocaleString('en')} checks/s | p99 ${row.p99MicrosPerIteration} µs per iteration |`,
    );
  }
}

async function validationBench() {
  const contract = batteryCfpContract;
  const cache = new Map<string, ReturnType<typeof compileContractSchema>>();
  // The exchange's path: look the validator up by dataset@version, compile only on a miss.
  const validatorFor = (dataset: string, version: string, schema: unknown) => {
    const key = `${dataset}@${version}`;
    let v = cache.get(key);
    if (!v) {
      v = compileContractSchema(schema);
      cache.set(key, v);
    }
    return v;
  };
  const valid = Array.from({ length: 100 }, (_, i) => ({
    lotId: `lot-${i}`,
    cellModel: 'KCW-NMC811-50Ah',
    cfpKgCo2ePerKwh: 60 + i / 10,
    unitPriceJpy: 9800,
  }));
  const invalid = valid.map((p, i) => (i % 10 === 0 ? { ...p, cfpKgCo2ePerKwh: -1, extra: true } : p));
  const wide = wideSchema();
  const widePayload = Object.fromEntries(
    Object.entries(wide.properties as Record<string, { type?: unknown }>).map(([k], i) => [
      k,
      k === 'lines'
        ? Array.from({ length: 20 }, (_, j) => ({ sku: `sku-${j}`, qtyKg: j, origin: 'JP' }))
        : i % 3 === 0
          ? i
          : i % 3 === 1
            ? `v${i}`
            : 'LFP',
    ]),
  );
  const bench = new Bench({ name: 'validation', time });
  bench
    .add('battery.cfp event, cached validator (100 per iteration)', () => {
      const v = validatorFor(contract.dataset, contract.version, contract.schema);
      for (let i = 0; i < valid.length; i++) validatePayload(v, valid[i], `/events/${i}/payload`);
    })
    .add('battery.cfp batch with 10% invalid, all errors collected (100 per iteration)', () => {
      const v = validatorFor(contract.dataset, contract.version, contract.schema);
      for (let i = 0; i < invalid.length; i++) validatePayload(v, invalid[i], `/events/${i}/payload`);
    })
    .add('40-field event with 20 nested lines, cached validator', () => {
      validatePayload(validatorFor('wide.bench', '1.0.0', wide), widePayload, '/events/0/payload');
    })
    .add('compiling a contract schema (what the cache saves, once per version)', () => {
      compileContractSchema({ ...contract.schema, $comment: String(Math.random()) });
    });
  await bench.run();
  const perIteration = (name: string) => (name.includes('100 per iteration') ? 100 : 1);
  const rows = bench.tasks.map((task) => {
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state}`);
    return {
      task: task.name,
      perSecond: Math.round(r.throughput.mean * perIteration(task.name)),
      p99MicrosPerIteration: Math.round(r.latency.p99 * 1000 * 10) / 10,
      samples: r.latency.samplesCount,
    };
  });
  results.validation = rows;
  for (const row of rows) {
    const unit = row.task.startsWith('compiling') ? 'compilations/s' : 'validations/s';
    table.push(
      `| validation: ${row.task} | ${row.perSecond.toLocaleString('en')} ${unit} | p99 ${row.p99MicrosPerIteration} µs per iteration |`,
    );
  }
}

/**
 * The regex engine for member-supplied patterns (ADR 0013): the same patterned contract validated through
 * Ajv with the native backtracking engine (reference only: unsafe), re2js (pure JS RE2, what the platform
 * uses) and re2-wasm (RE2 compiled to wasm); then what one defeating string costs each engine, and how many
 * patterns re2-wasm compiles before its fixed wasm heap is exhausted (it has no finaliser).
 */
async function regexEngineBench() {
  const schema = {
    type: 'object',
    required: ['lotId', 'cellModel', 'plant'],
    properties: {
      lotId: { type: 'string', pattern: '^lot-\\d{4}-\\d{2}-\\d{4}$' },
      cellModel: { type: 'string', pattern: '^[A-Z]{3}-[A-Z0-9]+-\\d+Ah$' },
      plant: { type: 'string', pattern: '^[A-Z]{2}-\\d{4}$' },
      cfpKgCo2ePerKwh: { type: 'number', minimum: 0 },
    },
  };
  // re2-wasm only when still installed: ADR 0013 compared it, the platform does not use it.
  const wasmPackage = 're2-wasm';
  const RE2 = await import(wasmPackage).then(
    (m: { RE2: new (pattern: string, flags: string) => { test(s: string): boolean } }) => m.RE2,
    () => undefined,
  );
  const engines: Record<
    string,
    { (pattern: string, flags: string): { test(s: string): boolean }; code: string } | undefined
  > = {
    'native RegExp (backtracking, reference)': undefined,
    're2js (pure JS RE2)': linearRegExp,
  };
  if (RE2) {
    engines['re2-wasm (RE2 in wasm)'] = Object.assign(
      (pattern: string, flags: string) => new RE2(pattern, flags),
      { code: 're2wasm' },
    );
  }
  const payloads = Array.from({ length: 100 }, (_, i) => ({
    lotId: `lot-2026-11-${String(i).padStart(4, '0')}`,
    cellModel: 'KCW-NMC811-50Ah',
    plant: 'JP-0042',
    cfpKgCo2ePerKwh: 60 + i / 10,
  }));
  const bench = new Bench({ name: 'regex engines', time });
  for (const [name, regExp] of Object.entries(engines)) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, ...(regExp ? { code: { regExp } } : {}) });
    const validate = ajv.compile(schema);
    bench.add(`validation with 3 patterns, ${name} (100 per iteration)`, () => {
      for (const p of payloads) validate(p);
    });
  }
  await bench.run();
  const rows = bench.tasks.map((task) => {
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state}`);
    return {
      task: task.name,
      perSecond: Math.round(r.throughput.mean * 100),
      p99MicrosPerIteration: Math.round(r.latency.p99 * 1000 * 10) / 10,
    };
  });
  const evil = (n: number) => 'a'.repeat(n) + '!';
  const once = (test: (s: string) => boolean, input: string) => {
    const started = performance.now();
    test(input);
    return Math.round((performance.now() - started) * 100) / 100;
  };
  const native = new RegExp('^(a+)+$', 'u');
  const re2js = linearRegExp('^(a+)+$', 'u');
  const re2wasm = RE2 ? new RE2('^(a+)+$', 'u') : undefined;
  const redos = {
    nativeMs: Object.fromEntries([16, 18, 20, 22, 24].map((n) => [n, once((x) => native.test(x), evil(n))])),
    re2jsMs: Object.fromEntries([24, 5_000].map((n) => [n, once((x) => re2js.test(x), evil(n))])),
    re2wasmMs: re2wasm
      ? Object.fromEntries([24, 5_000].map((n) => [n, once((x) => re2wasm.test(x), evil(n))]))
      : {},
  };
  let compiled = 0;
  try {
    for (; RE2 && compiled < 100_000; compiled++) {
      new RE2(`^[a-z][a-z0-9-]{1,60}x{${(compiled % 50) + 1}}$`, 'u');
    }
  } catch {
    // the wasm heap is exhausted: every later compilation in this process fails
  }
  results.regexEngines = { validation: rows, redos, re2wasmCompilationsBeforeHeapExhausted: compiled };
  for (const row of rows) {
    table.push(
      `| ${row.task} | ${row.perSecond.toLocaleString('en')} validations/s | p99 ${row.p99MicrosPerIteration} µs per iteration |`,
    );
  }
  table.push(
    `| \`^(a+)+$\` against n × 'a' + '!', native | ${Object.entries(redos.nativeMs)
      .map(([n, ms]) => `n=${n}: ${ms} ms`)
      .join(', ')} | doubles per character |`,
    `| the same, re2js / re2-wasm | ${Object.entries(redos.re2jsMs)
      .map(([n, ms]) => `n=${n}: ${ms} ms`)
      .join(', ')} / ${Object.entries(redos.re2wasmMs)
      .map(([n, ms]) => `n=${n}: ${ms} ms`)
      .join(', ')} | linear |`,
    `| re2-wasm compilations before its wasm heap is exhausted | ${!RE2 ? 're2-wasm not installed' : compiled < 100_000 ? compiled.toLocaleString('en') : 'not exhausted'} | the process must then restart |`,
  );
}

const host = machine();
log(`machine: ${host.cpus} × ${host.cpuModel}, ${host.memoryGiB} GiB, Node ${host.node}`);
log('compatibility checks…');
await compatibilityBench();
log('event validations…');
await validationBench();
log('regex engines…');
await regexEngineBench();
const { file } = writeReport('registry', quick, results);
console.log(['| what | measured | |', '| --- | --- | --- |', ...table].join('\n'));
log(`written to ${file}`);
