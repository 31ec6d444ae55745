/**
 * The attacking member of bench/hostile.ts, in its own thread so that serialising its 5 MB bodies does not
 * delay the latency measurement of the member it attacks. Repeats each attack until told to stop, then
 * posts how each was answered.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { JWK } from 'jose';
import { RenkeiClient, RenkeiError } from '@renkei/sdk';
import { round, summarise } from './stats.js';

interface AttackerData {
  endpoints: ConstructorParameters<typeof RenkeiClient>[0];
  clientId: string;
  privateJwk: JWK;
  redosToken: string;
}

const { endpoints, clientId, privateJwk, redosToken } = workerData as AttackerData;
const rival = new RenkeiClient(endpoints, { clientId, privateJwk });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let running = true;
parentPort!.on('message', (message) => {
  if (message === 'stop') running = false;
});

const attackContract = (dataset: string, schema: Record<string, unknown>, version: string) => ({
  dataset,
  version,
  title: `Attack ${dataset}`,
  domain: 'supply-chain',
  purposes: ['due-diligence'],
  sensitivity: 'internal',
  residency: null,
  retentionDays: 30,
  fields: {},
  schema,
});

/** Nested `anyOf`, 5 wide and 4 deep: within the limits, seconds to compile and compare. */
function alternatives(width: number, depth: number): Record<string, unknown> {
  if (depth === 0) return { type: 'string' };
  return {
    anyOf: Array.from({ length: width }, (_, i) => ({
      type: 'object',
      properties: { [`k${i}`]: alternatives(width, depth - 1) },
    })),
  };
}

/** Repeats `attack` (pausing `pauseMs` between calls) until stopped; counts answers by status and code. */
async function attacker(name: string, pauseMs: number, attack: () => Promise<unknown>) {
  const outcomes: Record<string, number> = {};
  const latencies: number[] = [];
  while (running) {
    const started = performance.now();
    const outcome = await attack().then(
      () => '2xx',
      (e: unknown) => (e instanceof RenkeiError ? `${e.status} ${e.code}` : String(e)),
    );
    latencies.push(performance.now() - started);
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (pauseMs > 0) await sleep(pauseMs);
  }
  const s = summarise(latencies);
  return { name, requests: latencies.length, outcomes, p50ms: round(s.p50), maxMs: round(s.max) };
}

const fiveMb = { type: 'object', description: 'x'.repeat(5_000_000 - 100) };
const expensive = { type: 'object', ...alternatives(5, 4) };
const results = await Promise.all([
  attacker('ReDoS publish (40 and 5,000 × a + !), every 20 ms', 20, () =>
    rival.publish('attack.redos', redosToken, [
      { payload: { code: 'a'.repeat(40) + '!' } },
      { payload: { code: 'a'.repeat(5_000) + '!' } },
    ]),
  ),
  attacker('5 MB schema, dry run', 0, () => rival.checkCompatibility('attack.big', fiveMb)),
  attacker('5 MB schema, registration', 0, () =>
    rival.registerContract(attackContract('attack.big', fiveMb, '2.0.0')),
  ),
  attacker('combinatorial schema (within limits), dry run', 0, () =>
    rival.checkCompatibility('attack.big', expensive),
  ),
]);
parentPort!.postMessage(results);
