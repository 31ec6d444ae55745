/**
 * The narrated battery CFP demo: onboarding, keys, a contract, a grant decided by the compiled policy,
 * events through Kafka, competitive fields withheld, revocation, and the audit record — all over HTTP
 * against the four services running as processes.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { RenkeiClient, RenkeiError, type DeliveryStream, type StreamLine } from '@renkei/sdk';
import { freshDatabase } from '../test/support/database.js';
import { generateSecrets, startPlatform, tlsFiles, type Secrets } from '../test/support/platform.js';
import {
  admissionsContract,
  fhirConsent,
  hospital,
  researchInstitute,
} from '../test/fixtures/regional-health.js';
import { fluoriteDisruption } from './demo-fluorite.js';
import {
  automaker,
  batteryCfpContract,
  cellMaker,
  competitorCellMaker,
  complianceOffice,
} from '../test/fixtures/battery-cfp.js';

const root = new URL('../..', import.meta.url).pathname;
const bold = (s: string) => `\x1b[1m${s}\x1b[0m`;
const dim = (s: string) => `\x1b[2m${s}\x1b[0m`;
let stepNo = 0;
const step = (s: string) => console.log(`\n${bold(`[${++stepNo}]`)} ${s}`);
const say = (s: string) => console.log(`    ${s}`);

async function key(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'ES256' };
}
const pub = ({ d: _d, ...p }: JWK) => p;

async function loadSecrets(): Promise<Secrets> {
  const file = `${root}/.renkei/secrets.json`;
  // Secrets added by newer versions are generated and kept alongside the ones already there.
  const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Secrets>) : {};
  const secrets = { ...(await generateSecrets()), ...saved };
  mkdirSync(`${root}/.renkei`, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
}

async function take(stream: DeliveryStream, n: number): Promise<StreamLine[]> {
  const out: StreamLine[] = [];
  while (out.length < n) {
    const line = await stream.read(10_000);
    if (!line) break;
    if (line.type === 'heartbeat') continue;
    out.push(line);
    if (line.type === 'end') break;
  }
  return out;
}

const demoTls = process.env.DEMO_TLS !== '0';
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const adminDbUrl = process.env.DATABASE_URL ?? 'postgresql://renkei:renkei-local@127.0.0.1:54329/renkei';
const db = await freshDatabase(root, `demo_${stamp}`, adminDbUrl);
const secrets = await loadSecrets();
const platform = await startPlatform({
  root,
  databaseUrl: db.url,
  kafkaBrokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  topicPrefix: `demo-${stamp}`,
  basePort: Number(process.env.BASE_PORT ?? 3001),
  logDir: `${root}/.renkei/logs/demo-${stamp}`,
  secrets,
  console: true,
  // HTTPS with the local CA of scripts/certs.sh (ADR 0034); DEMO_TLS=0 for plain HTTP.
  ...(demoTls ? { tls: tlsFiles(`${root}/.renkei/tls`) } : {}),
});
const e = platform.endpoints;

/**
 * Key files for signing in on the console (.renkei/keys/<company>.json, mode 0600): the browser reads one
 * locally and keeps the key non-extractable; nothing is uploaded.
 */
const keyDir = `${root}/.renkei/keys`;
function keyFileFor(participant: string, name: string, privateJwk: JWK): string {
  mkdirSync(keyDir, { recursive: true });
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  const file = `${keyDir}/${slug}.json`;
  writeFileSync(file, JSON.stringify({ participant, name, privateJwk }, null, 2), { mode: 0o600 });
  return file;
}
keyFileFor('consortium-admin', 'Consortium admin', secrets.adminKey);
console.log(bold('\nRenkei is running'));
console.log(
  `  console   ${bold(e.console ?? '')}  (sign in with a key file from .renkei/keys/)\n  registry  ${e.registry}/docs\n  clearing  ${e.clearing}/docs\n  exchange  ${e.exchange}/docs\n  cps-sim   ${e.cpsSim}/docs`,
);
if (demoTls)
  console.log(
    dim(
      `  HTTPS with the local CA .renkei/tls/ca.crt: import it in your browser (or accept the warning), or run with DEMO_TLS=0`,
    ),
  );
console.log(
  dim(
    `  logs in .renkei/logs/demo-${stamp}; database ${new URL(db.url).pathname.slice(1)}; topics demo-${stamp}.*`,
  ),
);

try {
  const admin = new RenkeiClient(e, { clientId: 'consortium-admin', privateJwk: secrets.adminKey });
  const keys = {
    cell: await key('kcw-1'),
    auto: await key('chubu-1'),
    rival: await key('tohoku-1'),
    comp: await key('compliance-1'),
  };

  step('The consortium admin onboards four participants (corporate numbers are check-digit validated)');
  const cellP = await admin.onboard({ ...cellMaker, jwks: { keys: [pub(keys.cell)] } });
  const autoP = await admin.onboard({ ...automaker, jwks: { keys: [pub(keys.auto)] } });
  const rivalP = await admin.onboard({ ...competitorCellMaker, jwks: { keys: [pub(keys.rival)] } });
  const compP = await admin.onboard({ ...complianceOffice, jwks: { keys: [pub(keys.comp)] } });
  for (const [p, f] of [
    [cellP, cellMaker],
    [autoP, automaker],
    [rivalP, competitorCellMaker],
    [compP, complianceOffice],
  ] as const) {
    say(`${f.legalName.padEnd(38)} 法人番号 ${f.corporateNumber}  ${f.industry.padEnd(14)} ${dim(p.id)}`);
  }
  for (const [p, f, k] of [
    [cellP, cellMaker, keys.cell],
    [autoP, automaker, keys.auto],
    [rivalP, competitorCellMaker, keys.rival],
    [compP, complianceOffice, keys.comp],
  ] as const)
    keyFileFor(p.id, f.legalName, k);
  say(dim(`console key files for each of them (and the admin) are in .renkei/keys/`));
  try {
    await admin.onboard({ ...cellMaker, corporateNumber: '9120001077501', jwks: { keys: [pub(keys.cell)] } });
  } catch (err) {
    if (err instanceof RenkeiError)
      say(
        `A mistyped corporate number is refused: ${err.status} ${err.code} ${JSON.stringify(err.problem.errors)}`,
      );
  }

  const cell = new RenkeiClient(e, { clientId: cellP.id, privateJwk: keys.cell });
  const auto = new RenkeiClient(e, { clientId: autoP.id, privateJwk: keys.auto });
  const rival = new RenkeiClient(e, { clientId: rivalP.id, privateJwk: keys.rival });
  const compliance = new RenkeiClient(e, { clientId: compP.id, privateJwk: keys.comp });

  step('Each participant signs a client assertion with its own key and gets a short-lived platform token');
  await Promise.all([
    cell.platformToken(),
    auto.platformToken(),
    rival.platformToken(),
    compliance.platformToken(),
  ]);
  say('private_key_jwt (RFC 7523), single-use jti; tokens are ES256, verified against the published JWKS');

  step('Kansai Cell Works registers the data contract for battery.cfp');
  await cell.registerContract(batteryCfpContract);
  say(
    `purposes: ${batteryCfpContract.purposes.join(', ')}; unitPriceJpy is tagged competitive, cfpKgCo2ePerKwh cooperative`,
  );

  step('Chubu Motors asks for access; first for a purpose the contract does not allow');
  try {
    await auto.requestGrant({ dataset: 'battery.cfp', purpose: 'price-benchmarking' });
  } catch (err) {
    if (err instanceof RenkeiError) say(`refused by policy: ${err.status} ${err.code}`);
  }
  const grant = await auto.requestGrant({ dataset: 'battery.cfp', purpose: 'cfp-disclosure' });
  say(`requested for cfp-disclosure: grant ${dim(grant.id)} is ${grant.state}`);
  const approved = await cell.approveGrant(grant.id, 'CFP roll-up for model year 2027');
  say(`Kansai Cell Works approves; the compiled policy agrees: ${approved.state}`);
  const rivalGrant = await rival.requestGrant({ dataset: 'battery.cfp', purpose: 'due-diligence' });
  await cell.approveGrant(rivalGrant.id);
  say('Tohoku Battery Cells, a competitor in the same industry, is granted due-diligence access too');

  step('Subscribers open their streams; the cell maker publishes three lots');
  const autoStream = await auto.stream(
    'battery.cfp',
    await auto.datasetToken('battery.cfp', 'subscribe', grant.id),
  );
  const rivalStream = await rival.stream(
    'battery.cfp',
    await rival.datasetToken('battery.cfp', 'subscribe', rivalGrant.id),
  );
  const publishToken = await cell.datasetToken('battery.cfp', 'publish');
  const lots = [61.4, 58.9, 63.2].map((cfp, i) => ({
    subject: `lot-2026-11-00${i + 1}`,
    payload: {
      lotId: `lot-2026-11-00${i + 1}`,
      cellModel: 'KCW-NMC811-50Ah',
      cfpKgCo2ePerKwh: cfp,
      unitPriceJpy: 9800 + i * 50,
    },
  }));
  const published = await cell.publish('battery.cfp', publishToken, lots);
  say(
    `${published.accepted} events validated against contract ${published.contractVersion} and acknowledged by Kafka (acks=all)`,
  );
  const show = (who: string, line: StreamLine) => {
    if (line.type !== 'event') return;
    const p = line.event.payload as { lotId: string; cfpKgCo2ePerKwh: number; unitPriceJpy?: number };
    say(
      `${who.padEnd(24)}${p.lotId}: ${p.cfpKgCo2ePerKwh} kg CO2e/kWh, price ${p.unitPriceJpy === undefined ? '— withheld (competitive field)' : `${p.unitPriceJpy} JPY`}`,
    );
  };
  for (const line of await take(autoStream, 3)) show('Chubu Motors receives', line);
  for (const line of await take(rivalStream, 3)) show('Tohoku (competitor)', line);
  rivalStream.close();

  step('Bad input gets a clear answer');
  try {
    await cell.publish('battery.cfp', publishToken, [
      { payload: { lotId: 'lot-x', cellModel: 'X', cfpKgCo2ePerKwh: 'sixty' } },
    ]);
  } catch (err) {
    if (err instanceof RenkeiError) say(`${err.status} ${err.code} ${JSON.stringify(err.problem.errors)}`);
  }

  step('The contract evolves, and the registry keeps it reliable for consumers');
  const v1Schema = batteryCfpContract.schema;
  const breaking = {
    ...v1Schema,
    required: [...v1Schema.required, 'plantId'],
    properties: {
      ...v1Schema.properties,
      plantId: { type: 'string' },
      cfpKgCo2ePerKwh: { ...v1Schema.properties.cfpKgCo2ePerKwh, maximum: 100 },
    },
  };
  try {
    await cell.registerContract({ ...batteryCfpContract, version: '2.0.0', schema: breaking });
  } catch (err) {
    if (err instanceof RenkeiError) {
      say(`a breaking 2.0.0 is refused: ${err.status} ${err.code}`);
      const errors = (err.problem.errors ?? []) as { path: string; message: string }[];
      for (const e of errors) say(`  ${dim(e.path)} ${e.message}`);
    }
  }
  const v11 = await cell.registerContract({
    ...batteryCfpContract,
    version: '1.1.0',
    schema: { ...v1Schema, properties: { ...v1Schema.properties, plantId: { type: 'string' } } },
  });
  say(`1.1.0 adds an optional plantId: accepted under ${v11.compatibility}, now the current version`);
  await cell.moveContract(
    'battery.cfp',
    '1.0.0',
    'deprecate',
    'Superseded by 1.1.0; retirement on 2027-03-31',
  );
  for (const line of await take(autoStream, 2)) {
    if (line.type === 'notice')
      say(`Chubu Motors' open stream is told: ${line.code} ${line.version} ${line.reason ?? ''}`);
  }
  const odcs = await cell.exportOdcs('battery.cfp', '1.1.0');
  say(
    `the same contract as an ODCS v3 document: ${odcs.split('\n').length} lines of YAML (renkei contract export)`,
  );

  step('Kansai Cell Works revokes Chubu Motors’ grant');
  const t0 = performance.now();
  await cell.revokeGrant(grant.id, 'supply agreement ended');
  const [end] = await take(autoStream, 1);
  say(
    `the open stream ends ${Math.round(performance.now() - t0)} ms after the revoke call: ${JSON.stringify(end)}`,
  );
  await cell.publish('battery.cfp', publishToken, [
    {
      subject: 'lot-2026-11-004',
      payload: { lotId: 'lot-2026-11-004', cellModel: 'KCW-NMC811-50Ah', cfpKgCo2ePerKwh: 60.1 },
    },
  ]);
  try {
    await auto.stream('battery.cfp', await auto.datasetToken('battery.cfp', 'subscribe', grant.id));
  } catch (err) {
    if (err instanceof RenkeiError) say(`Chubu Motors’ next read is refused: ${err.status} ${err.code}`);
  }

  step('Regional health data: certified recipients, persons’ consent, crypto-shredding');
  const hk = { hosp: await key('hosp-1'), lab: await key('lab-1') };
  const [hospP, labP] = await Promise.all([
    admin.onboard({ ...hospital, jwks: { keys: [pub(hk.hosp)] } }),
    admin.onboard({ ...researchInstitute, jwks: { keys: [pub(hk.lab)] } }),
  ]);
  keyFileFor(hospP.id, hospital.legalName, hk.hosp);
  keyFileFor(labP.id, researchInstitute.legalName, hk.lab);
  const hosp = new RenkeiClient(e, { clientId: hospP.id, privateJwk: hk.hosp });
  const lab = new RenkeiClient(e, { clientId: labP.id, privateJwk: hk.lab });
  await hosp.registerContract(admissionsContract);
  say(
    'Kansai General Hospital offers health.admissions (restricted: protected fields are encrypted on Kafka)',
  );
  try {
    await auto.requestGrant({ dataset: 'health.admissions', purpose: 'health-research' });
  } catch (err) {
    if (err instanceof RenkeiError)
      say(`Chubu Motors is not a certified health-data handler: ${err.status} ${err.code}`);
  }
  const labGrant = await lab.requestGrant({ dataset: 'health.admissions', purpose: 'health-research' });
  await hosp.approveGrant(labGrant.id, 'Regional readmission study');
  await hosp.importConsents({
    resourceType: 'Bundle',
    type: 'collection',
    entry: [{ resource: fhirConsent('pt-1', 'deny', ['HRESCH']) }, { resource: fhirConsent('pt-2', 'deny') }],
  });
  say('FHIR R5 Consents recorded: pt-1 says no except health research, pt-2 opted out, pt-3 said nothing');
  const labStream = await lab.stream(
    'health.admissions',
    await lab.datasetToken('health.admissions', 'subscribe', labGrant.id),
  );
  await hosp.publish(
    'health.admissions',
    await hosp.datasetToken('health.admissions', 'publish'),
    ['pt-1', 'pt-2', 'pt-3'].map((pt, i) => ({
      subject: pt,
      payload: {
        wardId: 'W3',
        admittedAt: `2026-11-21T0${i + 1}:00:00Z`,
        ageBand: '65-74',
        diagnosis: ['J18.9', 'I21.0', 'E11.9'][i],
      },
    })),
  );
  for (const line of await take(labStream, 2)) {
    if (line.type === 'event')
      say(
        `Osaka Medical Data Institute receives ${String(line.event.subject).padEnd(26)} diagnosis ${String(line.event.payload.diagnosis)}`,
      );
  }
  say('pt-2’s admission is withheld; pt-3 arrives pseudonymised; only pt-1 is identified');
  labStream.close();
  const erased = await hosp.erasePerson('pt-1', '*', 'Erasure requested by the patient');
  say(
    `pt-1 is erased: ${erased.keysDestroyed} data key destroyed — every copy of pt-1’s protected fields is unreadable`,
  );

  step('The CPS digital twin: what if Chinese fluorite stops for 60 days?');
  await fluoriteDisruption({
    say,
    key,
    pub,
    admin,
    platform,
    cpsKey: secrets.cpsKey,
    outDir: `${root}/.renkei`,
  });

  step('The compliance officer reviews the decisions and verifies the audit chain');
  await new Promise((r) => setTimeout(r, 500));
  const { items } = await compliance.auditEntries({ kind: 'decision', limit: '500' });
  const rows = new Map<string, { allow: number; deny: number }>();
  for (const it of items) {
    const k = String(it.record.action);
    const r = rows.get(k) ?? { allow: 0, deny: 0 };
    if (it.allow) r.allow += 1;
    else r.deny += 1;
    rows.set(k, r);
  }
  say(`${'action'.padEnd(16)} allow  deny   (policy revision ${String(items[0]?.record.policyRevision)})`);
  for (const [k, r] of rows)
    say(`${k.padEnd(16)} ${String(r.allow).padStart(5)} ${String(r.deny).padStart(5)}`);
  const verdict = await compliance.auditVerify();
  say(`hash chain over ${verdict.entries} entries: ${verdict.ok ? 'intact' : `BROKEN (${verdict.problem})`}`);
  const checkpoint = await compliance.createAuditCheckpoint();
  say(
    `signed checkpoint at entry ${String(checkpoint.seq)}: originators keep it as a receipt (renkei audit verify --checkpoint)`,
  );
} catch (error) {
  console.error('\nThe demo failed:', error);
  await platform.stop();
  process.exit(1);
}

if (process.env.CI || !process.stdout.isTTY || process.argv.includes('--exit')) {
  await platform.stop();
  console.log(bold('\nDemo complete.'));
} else {
  console.log(bold('\nDemo complete. The platform keeps running. Ctrl-C stops it.'));
  console.log(
    `  Open the console at ${bold(e.console ?? '')} and sign in with a key file from .renkei/keys/\n` +
      `  (consortium-admin.json, the compliance office, Kansai Cell Works, …); the APIs are at the /docs links above.`,
  );
  const stop = () => void platform.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
