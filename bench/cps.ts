/**
 * CPS simulation engine benchmarks, in process (no infrastructure), one thread. The headline number is
 * facility-days simulated per second on one core: a 1,000-facility synthetic network
 * (synthetic-network.ts) over 365 days and 100 Monte Carlo runs, target ≥ 10 million/s. Also the wall time
 * of the fixture scenarios (test/fixtures/cps) and the twin's replay rate. Results go to
 * docs/bench/cps-<date>.json and a Markdown table on stdout. Run with `npm run bench:cps`
 * (`-- --quick` for a short run).
 */
import { Bench } from 'tinybench';
import {
  compareMethods,
  compileDisruption,
  compileNetwork,
  eventsForTwin,
  forecastOccupancy,
  rollUpCfp,
  simulateDisruption,
  simulateNetwork,
  TwinBuilder,
  type SimulateNetworkOptions,
  type TwinEvent,
} from '@renkei/simulation';
import { batteryChainTwin } from '../test/fixtures/cps/battery-chain.js';
import { syntheticNetwork } from './synthetic-network.js';
import {
  euvExposure,
  euvLensChainEvents,
  euvLensChainTwin,
  fluoriteFromChinaStops,
  fluoriteFromChinaStopsMonteCarlo,
  nanoimprint,
} from '../test/fixtures/cps/euv-lens-chain.js';
import { medicalRegionTwin, winterSurge } from '../test/fixtures/cps/medical-region.js';
import { machine, writeReport } from './report.js';
import { round } from './stats.js';

const quick = process.argv.includes('--quick');
const log = (s: string) => console.error(`[bench:cps] ${s}`);
const results: Record<string, unknown> = {};
const table: string[] = [];
const fmt = (x: number) => Math.round(x).toLocaleString('en');
const seconds = (f: () => void) => {
  const t0 = performance.now();
  f();
  return (performance.now() - t0) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const FACILITIES = 1000;
const DAYS = 365;
const RUNS = quick ? 20 : 100;
const REPEATS = quick ? 1 : 5;

/** The hot loop on the synthetic network: facility-days per second, one thread. */
function networkBench() {
  let net!: ReturnType<typeof compileNetwork>;
  let twin!: ReturnType<typeof syntheticNetwork>;
  const buildSeconds = seconds(() => (twin = syntheticNetwork(FACILITIES, 42)));
  const compileSeconds = seconds(() => (net = compileNetwork(twin)));
  log(
    `synthetic network: ${net.n} facilities, ${net.links} links, ${net.slots} input slots, ${net.products.length} products, max lead ${net.maxLead} days`,
  );
  const variants: { name: string; options: Partial<SimulateNetworkOptions> }[] = [
    {
      name: 'Monte Carlo (lead time ±20 %, capacity ±10 %)',
      options: { leadTimeJitter: 0.2, capacityNoise: 0.1 },
    },
    { name: 'deterministic (no noise)', options: {} },
    {
      name: 'Monte Carlo, every CN facility stopped for the first 30 days',
      options: { leadTimeJitter: 0.2, capacityNoise: 0.1 },
    },
  ];
  const disruption = compileDisruption(net, { country: 'CN' }, 30);
  const rows = [];
  for (const [i, v] of variants.entries()) {
    const options: SimulateNetworkOptions = {
      days: DAYS,
      runs: RUNS,
      seed: 20261121,
      ...v.options,
      ...(i === 2 ? { disruption } : {}),
    };
    simulateNetwork(net, { ...options, runs: 2 }); // warm-up (JIT)
    const rates: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      let facilityDays = 0;
      const s = seconds(() => (facilityDays = simulateNetwork(net, options).facilityDays));
      rates.push(facilityDays / s);
    }
    const row = {
      variant: v.name,
      facilities: net.n,
      links: net.links,
      days: DAYS,
      runs: RUNS,
      facilityDays: FACILITIES * DAYS * RUNS,
      repeats: REPEATS,
      facilityDaysPerSecondMedian: Math.round(median(rates)),
      facilityDaysPerSecondBest: Math.round(Math.max(...rates)),
      secondsPerSimulationMedian: round((FACILITIES * DAYS * RUNS) / median(rates), 3),
    };
    rows.push(row);
    log(
      `${v.name}: ${fmt(row.facilityDaysPerSecondMedian)} facility-days/s (best ${fmt(row.facilityDaysPerSecondBest)})`,
    );
    table.push(
      `| ${FACILITIES.toLocaleString('en')} facilities × ${DAYS} days × ${RUNS} runs, ${v.name} | **${(row.facilityDaysPerSecondMedian / 1e6).toFixed(1)} M facility-days/s** (best ${(row.facilityDaysPerSecondBest / 1e6).toFixed(1)} M) | ${row.secondsPerSimulationMedian} s per simulation |`,
    );
  }
  results.network = {
    buildMs: round(buildSeconds * 1000),
    compileMs: round(compileSeconds * 1000),
    links: net.links,
    slots: net.slots,
    products: net.products.length,
    maxLeadDays: net.maxLead,
    rows,
    targetFacilityDaysPerSecond: 10_000_000,
  };
  table.push(
    `| compiling the 1,000-facility twin to typed arrays (plan included) | ${round(compileSeconds * 1000)} ms | once per snapshot |`,
  );

  // The full scenario API on the same network (baseline + disrupted run per Monte Carlo run).
  const runs = quick ? 10 : 50;
  let facilityDays = 0;
  const s = seconds(
    () =>
      (facilityDays =
        simulateDisruption(twin, {
          stop: { country: 'CN' },
          days: 30,
          horizonDays: DAYS,
          runs,
          seed: 1,
          leadTimeJitter: 0.2,
          capacityNoise: 0.1,
        }).facilityDays ?? 0),
  );
  results.disruptionOnSyntheticNetwork = {
    runs,
    seconds: round(s, 3),
    facilityDaysPerSecond: Math.round(facilityDays / s),
  };
  log(`simulateDisruption on the synthetic network: ${round(s, 2)} s`);
  table.push(
    `| simulateDisruption on it (CN stops 30 days, ${runs} runs, baseline + disrupted each, per-facility series) | ${round(s, 2)} s (${(facilityDays / s / 1e6).toFixed(1)} M facility-days/s) | |`,
  );
}

async function fixtureBench() {
  const time = quick ? 300 : 1_500;
  const bench = new Bench({ name: 'fixtures', time });
  bench
    .add('EUV chain: fluorite from CN stops 60 days, 365 days, deterministic', () => {
      simulateDisruption(euvLensChainTwin, fluoriteFromChinaStops);
    })
    .add('battery chain: CFP roll-up per vehicle', () => {
      rollUpCfp(batteryChainTwin, 'vehicle');
    })
    .add('EUV exposure vs nanoimprint: method comparison', () => {
      compareMethods(euvExposure, nanoimprint);
    })
    .add(
      `EUV chain: replay of the ${euvLensChainEvents.length} fixture events into a fresh twin + digest`,
      () => {
        const b = new TwinBuilder();
        for (const e of euvLensChainEvents) b.apply(e);
        b.digest();
      },
    );
  await bench.run();
  const rows = bench.tasks.map((task) => {
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state}`);
    return {
      task: task.name,
      p50Ms: round(r.latency.p50 ?? r.latency.mean, 4),
      p99Ms: round(r.latency.p99, 4),
      samples: r.latency.samplesCount,
    };
  });
  for (const row of rows) table.push(`| ${row.task} | ${row.p50Ms} ms (p99 ${row.p99Ms} ms) | |`);

  const mc = seconds(() => simulateDisruption(euvLensChainTwin, fluoriteFromChinaStopsMonteCarlo));
  table.push(
    `| EUV chain: the same as Monte Carlo, ${fluoriteFromChinaStopsMonteCarlo.runs} runs (lead time ±20 %, capacity ±5 %) | ${round(mc * 1000, 1)} ms | |`,
  );
  const hospital = seconds(() => forecastOccupancy(medicalRegionTwin, winterSurge));
  table.push(
    `| Kansai region: ${medicalRegionTwin.hospitals.length} hospitals, ${winterSurge.horizonDays}-day winter-surge forecast, ${winterSurge.runs} runs + transfers | ${round(hospital * 1000, 1)} ms | |`,
  );
  results.fixtures = {
    rows,
    euvMonteCarloMs: round(mc * 1000, 1),
    hospitalSurgeMs: round(hospital * 1000, 1),
  };
}

/** Twin replay: declarations of the 1,000-facility network and a stream of operational events. */
function replayBench() {
  const twin = syntheticNetwork(FACILITIES, 42);
  const declarations = eventsForTwin(twin, { idPrefix: 'd', startAt: '2026-01-01T00:00:00Z' });
  const ops: TwinEvent[] = [];
  const count = quick ? 100_000 : 500_000;
  const at = '2026-01-02T00:00:00.000Z';
  const customerOf = new Map<string, (typeof twin.links)[number]>();
  for (const l of twin.links) if (!customerOf.has(l.supplier)) customerOf.set(l.supplier, l);
  for (let i = 0; i < count; i++) {
    const f = twin.facilities[i % twin.facilities.length]!;
    const customer = customerOf.get(f.id);
    ops.push(
      i % 2 === 0 || !customer
        ? {
            dataset: 'cps.production',
            id: `p${i}`,
            type: 'production',
            occurredAt: at,
            payload: { facilityId: f.id, units: 3 },
          }
        : {
            dataset: 'cps.shipments',
            id: `s${i}`,
            type: 'shipment',
            occurredAt: at,
            payload: { from: f.id, to: customer.facility, input: customer.input, units: 2 },
          },
    );
  }
  const events = [...declarations, ...ops];
  let digest = '';
  const s = seconds(() => {
    const b = new TwinBuilder();
    for (const e of events) b.apply(e);
    digest = b.digest();
  });
  const again = new TwinBuilder();
  for (const e of events) again.apply(e);
  const exact = again.digest() === digest;
  results.replay = {
    events: events.length,
    seconds: round(s, 3),
    eventsPerSecond: Math.round(events.length / s),
    exact,
  };
  log(`replay: ${fmt(events.length / s)} events/s, rebuilt exactly: ${exact}`);
  table.push(
    `| twin replay: ${fmt(events.length)} events (1,000-facility declarations + production/shipments) + digest | ${fmt(events.length / s)} events/s | rebuilt exactly: ${exact ? 'yes' : 'NO'} |`,
  );
}

const host = { ...machine(), threads: 1 };
log(`machine: ${host.cpus} × ${host.cpuModel}, ${host.memoryGiB} GiB, Node ${host.node}`);
log(`network hot loop (${FACILITIES} facilities, ${DAYS} days, ${RUNS} runs, ${REPEATS} repeats)…`);
networkBench();
log('fixture scenarios…');
await fixtureBench();
log('twin replay…');
replayBench();
const { file } = writeReport('cps', quick, results, { machine: { threads: 1 } });
console.log(
  [
    `Machine: ${host.cpus} × ${host.cpuModel}, ${host.memoryGiB} GiB, Node ${host.node}, one thread`,
    '',
    '| what | measured | |',
    '| --- | --- | --- |',
    ...table,
  ].join('\n'),
);
log(`written to ${file}`);
