/**
 * `npm run test:dsp [provider|consumer|all]`: the Eclipse Dataspace TCK against the real platform, self-
 * contained. Starts the four services (fresh database, own topic prefix), seeds them through the public
 * APIs (test/dsp/seed.ts), runs the driver that makes each test's scripted moves as the originator and the
 * consumer member (test/dsp/driver.ts), hosts the TCK's initiate URLs (test/dsp/initiate.ts), runs
 * `scripts/dsp-tck.sh run <group>`, prints its per-test result (known consumer-side gaps are listed with a
 * reason in infra/dsp-tck/expected-failures.txt), then stops the platform and drops the database.
 *
 * Environment: TEST_DATABASE_URL (required: a PostgreSQL the run may create databases on), KAFKA_BROKERS
 * (default 127.0.0.1:9092), DSP_TEST_BASE_PORT (the services' ports from here, default 4900; the initiate
 * server takes base + 9), DSP_TCK_CALLBACK_PORT (the TCK's callback server, default 8783), and whatever
 * scripts/dsp-tck.sh reads (DSP_TCK_ONLY, DSP_TCK_DEBUG, DSP_TCK_CACHE; DSP_TCK_WAIT defaults to 10 s here).
 * The services serve HTTPS with the local CA (scripts/certs.sh) unless RENKEI_TEST_TLS=0.
 */
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RenkeiClient } from '@renkei/sdk';
import { freshDatabase, serviceDatabaseUrls } from '../support/database.js';
import { generateSecrets, startPlatform, tlsFiles, type RunningPlatform } from '../support/platform.js';
import { Driver, type Observed } from './driver.js';
import { startInitiateServer } from './initiate.js';
import { seed, seedsFile } from './seed.js';
import type { Step } from './tck-script.js';

type Group = 'provider' | 'consumer' | 'all';

/** The repository root: the folder above this file whose package.json is the project's. */
function findRoot(): string {
  let dir = dirname(new URL(import.meta.url).pathname);
  while (dir !== '/') {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scripts/dsp-tck.sh'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the repository root (scripts/dsp-tck.sh)');
}

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const log = (line: string) => console.log(`[test:dsp ${elapsed().padStart(7)}] ${line}`);

async function main(): Promise<number> {
  const group = (process.argv[2] ?? 'all') as Group;
  if (!['provider', 'consumer', 'all'].includes(group)) {
    console.error(`usage: npm run test:dsp [provider|consumer|all] (not '${group}')`);
    return 2;
  }
  const root = findRoot();
  if (!existsSync(join(root, 'dist/apps/clearing/src/main.js'))) {
    console.error('Build first: npm run build');
    return 2;
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    console.error('TEST_DATABASE_URL is not set: a PostgreSQL URL the run may create a database on');
    return 2;
  }
  const basePort = Number(process.env.DSP_TEST_BASE_PORT ?? 4900);
  const callbackPort = Number(process.env.DSP_TCK_CALLBACK_PORT ?? 8783);
  const callbackAddress = process.env.DSP_TCK_CALLBACK_ADDRESS ?? `http://127.0.0.1:${callbackPort}`;
  const initiatePort = basePort + 9;
  // DSP_TCK_ONLY picks tests across groups (scripts/dsp-tck.sh runs just those): seed what they need.
  const only = (process.env.DSP_TCK_ONLY ?? '').split(/[\s,]+/).filter(Boolean);
  const groups =
    only.length > 0
      ? { provider: only.some((id) => !id.includes('_C:')), consumer: only.some((id) => id.includes('_C:')) }
      : { provider: group !== 'consumer', consumer: group !== 'provider' };

  const topicPrefix = `dsp-tck-${randomBytes(3).toString('hex')}`;
  log(`group ${group}: platform on ports ${basePort}-${basePort + 3}, TCK callback ${callbackAddress}`);
  const db = await freshDatabase(root, 'dsp_tck', adminUrl);
  let platform: RunningPlatform | undefined;
  const cleanups: (() => unknown)[] = [];
  const interrupted = () => {
    log('interrupted: stopping');
    void Promise.allSettled(cleanups.map((c) => c()))
      .then(() => db.drop())
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const secrets = await generateSecrets();
    // The platform's own connector key (PKCS8, ES256): how it signs in at peers that want a token.
    const connectorKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    // The connector under test speaks HTTPS with the local CA's certificate (ADR 0034), as in production;
    // scripts/dsp-tck.sh puts that CA into the TCK's Java trust store (RENKEI_TEST_TLS=0: plain HTTP).
    let tls: ReturnType<typeof tlsFiles> | undefined;
    if (process.env.RENKEI_TEST_TLS !== '0') {
      const dir = join(root, '.renkei/tls');
      execFileSync('bash', [join(root, 'scripts/certs.sh'), dir], { stdio: ['ignore', 'ignore', 'inherit'] });
      tls = tlsFiles(dir);
    }
    platform = await startPlatform({
      root,
      databaseUrl: db.url,
      // Each service as its own database role where the server has them (ADR 0034).
      databaseUrls: await serviceDatabaseUrls(db.url),
      tls,
      kafkaBrokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
      topicPrefix,
      basePort,
      logDir: join(root, '.renkei/logs', topicPrefix),
      logLevel: process.env.DSP_TEST_LOG_LEVEL ?? 'warn',
      secrets,
      env: { clearing: { DSP_ALLOW_INSECURE_LOOPBACK: 'true', CONNECTOR_KEY: connectorKey } },
    });
    const running = platform;
    cleanups.push(() => running.stop());
    const { endpoints } = platform;
    log(`platform up (logs: .renkei/logs/${topicPrefix})`);

    const admin = new RenkeiClient(endpoints, { clientId: 'consortium-admin', privateJwk: secrets.adminKey });
    const seeded = await seed(endpoints, admin, { callbackAddress, groups, log });
    const token = await seeded.tck.client.platformToken();
    const runs = join(root, '.renkei/dsp-tck-runs');
    mkdirSync(runs, { recursive: true });
    const seedsPath = join(runs, `seeds-${topicPrefix}.properties`);
    writeFileSync(seedsPath, seedsFile(seeded.seeds));
    log(
      `seeded ${Object.keys(seeded.seeds).length} keys into ${seedsPath}` +
        (seeded.policyApproval
          ? ''
          : " (no `approval: 'policy'` term: the originator makes the policy's moves)"),
    );

    const datasetOf = (p: Observed) =>
      [p.dataset, p.datasetId, p.offerId].find((v): v is string => typeof v === 'string');
    const drivers: Driver[] = [];
    if (groups.provider) {
      drivers.push(
        new Driver({
          name: 'provider negotiations',
          client: seeded.originator,
          kind: 'negotiation',
          side: 'provider',
          log,
          match: (p) => {
            for (const value of [p.dataset, p.datasetId, p.offerId]) {
              if (typeof value !== 'string') continue;
              const dataset = value.replace(/^urn:renkei:(dataset|offer):/, '').replace(/:[^:]+$/, '');
              const test = seeded.negotiationTests.get(value) ?? seeded.negotiationTests.get(dataset);
              if (test) return test;
            }
            return undefined;
          },
        }),
        new Driver({
          name: 'provider transfers',
          client: seeded.originator,
          kind: 'transfer',
          side: 'provider',
          log,
          match: (p) => seeded.transferTests.get(String(p.grantId ?? p.agreementId)),
          grantOf: (p) => String(p.grantId ?? p.agreementId),
        }),
      );
    }
    if (groups.consumer) {
      const initiated = new Map<string, { test: string; steps: Step[] }>();
      const server = await startInitiateServer({
        port: initiatePort,
        consumer: seeded.consumer,
        peer: seeded.tck.id,
        log,
        started: (kind, id, key) => {
          const test = (
            kind === 'negotiation' ? seeded.consumerNegotiationTests : seeded.consumerTransferTests
          ).get(key);
          if (test) initiated.set(id, test);
        },
      });
      cleanups.push(() => new Promise((resolve) => server.close(resolve)));
      drivers.push(
        new Driver({
          name: 'consumer negotiations',
          client: seeded.consumer,
          kind: 'negotiation',
          side: 'consumer',
          log,
          match: (p) => {
            const key = datasetOf(p);
            return initiated.get(p.id) ?? (key ? seeded.consumerNegotiationTests.get(key) : undefined);
          },
        }),
        new Driver({
          name: 'consumer transfers',
          client: seeded.consumer,
          kind: 'transfer',
          side: 'consumer',
          log,
          match: (p) => initiated.get(p.id) ?? seeded.consumerTransferTests.get(String(p.agreementId)),
        }),
      );
    }
    for (const driver of drivers) driver.start();
    cleanups.unshift(() => drivers.forEach((d) => d.stop()));

    const status = await new Promise<number>((resolve) => {
      const tck = spawn('bash', [join(root, 'scripts/dsp-tck.sh'), 'run', group], {
        cwd: root,
        stdio: 'inherit',
        env: {
          ...process.env,
          DSP_TCK_BASE_URL: endpoints.clearing,
          ...(tls ? { DSP_TCK_CA_FILE: tls.caFile } : {}),
          DSP_TCK_AUTHORIZATION: `Bearer ${token}`,
          DSP_TCK_SEEDS: seedsPath,
          DSP_TCK_CALLBACK_PORT: String(callbackPort),
          DSP_TCK_CALLBACK_ADDRESS: callbackAddress,
          // Against this platform every callback comes within ~2 s; a shorter wait bounds a broken run.
          DSP_TCK_WAIT: process.env.DSP_TCK_WAIT ?? '10',
          DSP_TCK_NEGOTIATION_INITIATE_URL: `http://127.0.0.1:${initiatePort}/negotiations`,
          DSP_TCK_TRANSFER_INITIATE_URL: `http://127.0.0.1:${initiatePort}/transfers`,
          DSP_TCK_EXPECTED_FAILURES:
            process.env.DSP_TCK_EXPECTED_FAILURES ?? join(root, 'infra/dsp-tck/expected-failures.txt'),
        },
      });
      tck.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
    for (const driver of drivers) driver.stop();
    const pending = drivers.flatMap((d) => d.pending());
    if (pending.length > 0) {
      log('scripted moves not made (the process never reached the state, or the move was refused):');
      for (const p of pending)
        log(`  ${p.test} ${p.id}: ${p.waitingFor}; states seen ${p.states.join(' -> ')}`);
    }
    // A passing run's seeds are of no further use; a failing run's stay, to read beside the services' logs.
    if (status === 0) rmSync(seedsPath, { force: true });
    else log(`seeds kept in ${seedsPath}`);
    return status;
  } finally {
    for (const cleanup of cleanups) await cleanup();
    await db.drop();
    log(`done in ${elapsed()} (platform stopped, database dropped)`);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
