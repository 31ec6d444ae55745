/**
 * The demo's CPS part: the EUV-lens chain shares its part of the supply network with the consortium's
 * digital twin under grants, and the twin answers "what if Chinese fluorite stops for 60 days?".
 */
import { writeFileSync } from 'node:fs';
import type { JWK } from 'jose';
import { RenkeiClient, type Endpoints } from '@renkei/sdk';
import { euvLensChainEvents, fluoriteFromChinaStopsMonteCarlo } from '../test/fixtures/cps/euv-lens-chain.js';
import type { RunningPlatform } from '../test/support/platform.js';
import { corporateNumber } from '../test/support/test-platform.js';

interface DemoIo {
  say: (line: string) => void;
  key: (kid: string) => Promise<JWK>;
  pub: (jwk: JWK) => JWK;
  admin: RenkeiClient;
  platform: RunningPlatform;
  cpsKey: JWK;
  outDir: string;
}

const chain = [
  ['Jiangxi Fluorite Mining Co.', 'mining', 'CN'],
  ['Nagano Optical Blanks K.K.', 'optical-materials', 'JP'],
  ['Tochigi Precision Lens K.K.', 'optics', 'JP'],
] as const;

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('the digital twin did not catch up in time');
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function fluoriteDisruption(io: DemoIo): Promise<void> {
  const { say, admin, platform } = io;
  const endpoints: Endpoints = platform.endpoints;
  const members: RenkeiClient[] = [];
  for (const [i, [legalName, industry, country]] of chain.entries()) {
    const jwk = await io.key(`euv-${i}`);
    const base = `70110020${String(5100 + i)}`;
    const p = await admin.onboard({
      legalName,
      corporateNumber: corporateNumber(base),
      industry,
      country,
      roles: ['member'],
      jwks: { keys: [io.pub(jwk)] },
    });
    members.push(new RenkeiClient(endpoints, { clientId: p.id, privateJwk: jwk }));
  }
  const base = '701100206100';
  const cpsP = await admin.onboard({
    legalName: 'Renkei Consortium CPS Twin',
    corporateNumber: corporateNumber(base),
    industry: 'consortium',
    country: 'JP',
    roles: ['member'],
    jwks: { keys: [io.pub(io.cpsKey)] },
  });
  await platform.restart('cps-sim', 'SIGTERM', { CPS_CLIENT_ID: cpsP.id, CPS_GRANT_POLL_MS: '300' });
  const cps = new RenkeiClient(endpoints, { clientId: cpsP.id, privateJwk: io.cpsKey });
  say('the CPS twin is a participant like any other: its own key, its own grants');

  const datasets = [...new Set(euvLensChainEvents.map((e) => e.dataset))].sort();
  for (const [i, dataset] of datasets.entries()) {
    const owner = members[i % members.length]!;
    await owner.registerContract({
      dataset,
      version: '1.0.0',
      title: `EUV lens chain: ${dataset}`,
      domain: 'supply-chain',
      purposes: ['supply-risk'],
      sensitivity: 'confidential',
      residency: null,
      retentionDays: 365,
      schema: { type: 'object' },
    });
    const requested = await cps.simRequestInput(dataset, 'supply-risk');
    await owner.approveGrant(requested.grant!.id, 'Consortium supply-risk foresight');
    const token = await owner.datasetToken(dataset, 'publish');
    await owner.publish(
      dataset,
      token,
      euvLensChainEvents
        .filter((e) => e.dataset === dataset)
        .map((e) => ({ type: e.type, occurredAt: e.occurredAt, payload: e.payload })),
    );
  }
  say(`${datasets.join(', ')}: shared with the twin under grants for supply-risk only`);
  const twin = await until(async () => {
    const t = await cps.simTwin();
    return t.inputs.reduce((n, i) => n + i.events, 0) === euvLensChainEvents.length ? t : undefined;
  });
  say(
    `twin built from the exchange streams: ${twin.counts.facilities} facilities, digest ${twin.digest.slice(0, 12)}…`,
  );

  const scenario = await cps.defineScenario({
    name: 'Fluorite: Chinese mines stop for 60 days',
    kind: 'disruption',
    params: { ...fluoriteFromChinaStopsMonteCarlo },
  });
  const started = await cps.runScenario(scenario.id, { seed: fluoriteFromChinaStopsMonteCarlo.seed });
  let shown = -1;
  const run = await until(async () => {
    const r = await cps.run(started.runId);
    const pct = Math.floor(r.progress * 4) * 25;
    if (pct > shown) {
      shown = pct;
      say(`  Monte Carlo progress ${String(pct).padStart(3)} %`);
    }
    return r.status === 'succeeded' || r.status === 'failed' ? r : undefined;
  }, 120_000);
  if (run.status !== 'succeeded') throw new Error(`the simulation failed: ${String(run.error)}`);
  const { result } = await cps.runResult(run.id);
  const stopped = result.stopped as {
    facility: string;
    product: string;
    firstShortDay: number | null;
    minOutputShare?: number;
  }[];
  for (const s of stopped.filter((x) => x.firstShortDay !== null)) {
    const low =
      s.minOutputShare === undefined
        ? ''
        : `, down to ${Math.round(s.minOutputShare * 100)} % of normal output`;
    say(`  ${s.product.padEnd(16)} at ${s.facility.padEnd(20)} runs short from day ${s.firstShortDay}${low}`);
  }
  const lostOutput = result.lostOutput as Record<string, { units: number; baselineUnits?: number }>;
  for (const [product, lost] of Object.entries(lostOutput)) {
    if (lost.units <= 0) continue;
    const share = lost.baselineUnits
      ? ` of ${lost.baselineUnits.toFixed(1)} (${((lost.units / lost.baselineUnits) * 100).toFixed(1)} %)`
      : '';
    say(`  ${product.padEnd(16)} output lost over the horizon: ${lost.units.toFixed(2)} units${share}`);
  }
  for (const a of result.alternatives as { supplier: string; input: string; coverShare: number }[]) {
    say(`  alternative ${a.supplier} covers ${Math.round(a.coverShare * 100)} % of ${a.input}`);
  }
  const svgFile = `${io.outDir}/fluorite-disruption.svg`;
  writeFileSync(svgFile, await cps.chartSvg(run.id));
  say(`chart: ${svgFile} — same seed, same answer (seed ${run.seed})`);
  const published = await cps.publishRun(run.id);
  say(
    `published as the derived dataset ${published.dataset}, governed by all of ${published.lineage.length} inputs' terms`,
  );
}
