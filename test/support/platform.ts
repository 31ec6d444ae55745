/**
 * Starts the four services as real processes (built code in dist/) against a real PostgreSQL and Kafka,
 * for the end-to-end tests and the demo. Nothing here is a stand-in: it is how an operator runs them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generatePrivateJwk, publicPart } from '@renkei/auth';
import {
  KAFKA_SERVICE_PRINCIPALS,
  kafkaConnectionFromEnv,
  provisionKafka,
  singleBrokerTopics,
} from '@renkei/kafka';
import { trustCaFile } from '@renkei/platform';
import type { JWK } from 'jose';
import { Kafka, logLevel } from 'kafkajs';

export interface Secrets {
  signingKeys: JWK[];
  adminKey: JWK;
  pseudonymSecret: string;
  /** Wraps data keys and signing keys at rest (clearing); 32 bytes, base64url. */
  keyEncryptionKey: string;
  /** The exchange's own key: it authenticates to clearing for data keys (service identity). */
  exchangeKey: JWK;
  /**
   * The CPS simulation service's participant key. The service starts without an identity; once the admin
   * has onboarded a participant with this key's public part, restart it with
   * `restart('cps-sim', 'SIGTERM', { CPS_CLIENT_ID: id })`.
   */
  cpsKey: JWK;
}

export async function generateSecrets(): Promise<Secrets> {
  return {
    signingKeys: [await generatePrivateJwk()],
    adminKey: await generatePrivateJwk('consortium-admin-1'),
    pseudonymSecret: randomBytes(32).toString('base64url'),
    keyEncryptionKey: randomBytes(32).toString('base64url'),
    exchangeKey: await generatePrivateJwk('renkei-exchange-1'),
    cpsKey: await generatePrivateJwk('renkei-cps-sim-1'),
  };
}

export interface PlatformOptions {
  root: string;
  databaseUrl: string;
  kafkaBrokers: string;
  topicPrefix: string;
  basePort: number;
  logDir: string;
  logLevel?: string;
  secrets: Secrets;
  /** Also serve the web console (dist/console) on basePort + 4, forwarding to the four services. */
  console?: boolean;
  /**
   * Extra configuration per service, added to its environment (e.g. clearing's CONNECTOR_KEY and
   * DSP_ALLOW_INSECURE_LOOPBACK for the Dataspace Protocol runs).
   */
  env?: Partial<Record<Service, Record<string, string>>>;
  /** Added to every service's environment, e.g. KAFKA_REPLICATION_FACTOR on a replicated cluster. */
  commonEnv?: Record<string, string>;
  /**
   * Every service (and the console) serves HTTPS with this certificate, and trusts this CA for its calls to
   * the others (ADR 0034; scripts/certs.sh makes them); the endpoints are https://. This process trusts
   * the CA too. Without it: plain HTTP.
   */
  tls?: PlatformTls;
  /**
   * A database URL per service instead of `databaseUrl`, e.g. each service's own role (ADR 0034). The
   * owner's `databaseUrl` stays what migrations and the tests' own queries use.
   */
  databaseUrls?: Partial<Record<'registry' | 'clearing', string>>;
  /**
   * How many processes of the exchange and of clearing run side by side (default 1 each), against the same
   * Kafka and database with the same configuration. Replica 0 is the usual one (its port, the endpoints);
   * replica i >= 1 listens on the usual port + 10 * i and logs to `<service>-<i>.log`.
   */
  replicas?: Partial<Record<ReplicatedService, number>>;
}

/** The services the harness can run several replicas of. */
export type ReplicatedService = 'exchange' | 'clearing';

/** One process of a replicated service: where it listens, and the process itself (a test may kill it). */
export interface Replica {
  index: number;
  url: string;
  /** The current process (a new one after `restartReplica`). */
  process(): ChildProcess | undefined;
}

export interface PlatformTls {
  certFile: string;
  keyFile: string;
  caFile: string;
}

/** The files of scripts/certs.sh in `dir` (by default .renkei/tls). */
export const tlsFiles = (dir: string): PlatformTls => ({
  certFile: join(dir, 'server.crt'),
  keyFile: join(dir, 'server.key'),
  caFile: join(dir, 'ca.crt'),
});

const services = ['registry', 'clearing', 'exchange', 'cps-sim'] as const;
export type Service = (typeof services)[number] | 'console';

export interface RunningPlatform {
  endpoints: { registry: string; clearing: string; exchange: string; cpsSim: string; console?: string };
  stop(): Promise<void>;
  /**
   * Stops one service (gracefully, or killed outright) and starts it again; `env` adds to (and stays in)
   * its environment, e.g. the cps-sim participant id once it is onboarded.
   */
  restart(name: Service, how?: 'SIGTERM' | 'SIGKILL', env?: Record<string, string>): Promise<void>;
  /** How the service's last process ended (status, signal, when), if one has (graceful-shutdown tests). */
  lastExit?(name: Service): { code: number | null; signal: string | null; at: number } | undefined;
  /** The service's current process id (the fault tests check a service survived without a restart). */
  pid(name: Service): number | undefined;
  /** Every replica of the exchange and of clearing, replica 0 first (one each unless `replicas` says). */
  replicas: Record<ReplicatedService, Replica[]>;
  /** Ends one replica (SIGKILL: at once, as a crash; SIGTERM: gracefully) and waits until it has exited. */
  killReplica(name: ReplicatedService, index: number, how?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts a replica again (after killReplica) with the same configuration; resolves when it is healthy. */
  restartReplica(name: ReplicatedService, index: number): Promise<void>;
}

const withoutDatabase = ({ DATABASE_URL: _owner, ...rest }: Record<string, string>) => rest;

async function waitHealthy(
  url: string,
  child: ChildProcess,
  name: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}; see its log`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${name} did not become healthy within ${timeoutMs} ms`);
}

/**
 * On a secure broker (the test process itself logs in as admin through KAFKA_SASL_*, e.g. from
 * `scripts/kafka.sh env admin`), the deployment's topics and ACLs are provisioned first and each service
 * logs in as its own principal (ADR 0035), its password file beside admin's. Otherwise nothing changes.
 */
async function kafkaLogins(opts: PlatformOptions): Promise<Partial<Record<Service, Record<string, string>>>> {
  const env = process.env;
  const tls: Record<string, string> = {};
  if (env.KAFKA_SSL) tls.KAFKA_SSL = env.KAFKA_SSL;
  if (env.KAFKA_SSL_CA_FILE) tls.KAFKA_SSL_CA_FILE = env.KAFKA_SSL_CA_FILE;
  if (!env.KAFKA_SASL_MECHANISM || env.KAFKA_SASL_MECHANISM === 'none')
    return { registry: tls, clearing: tls, exchange: tls };
  if (!env.KAFKA_SASL_PASSWORD_FILE)
    throw new Error("a secure Kafka run needs KAFKA_SASL_PASSWORD_FILE (admin's, beside the services')");
  const common = opts.commonEnv ?? {};
  const admin = new Kafka({
    clientId: 'renkei-provisioning',
    brokers: opts.kafkaBrokers.split(','),
    ...kafkaConnectionFromEnv(),
    logLevel: logLevel.NOTHING,
  });
  await provisionKafka(admin, opts.topicPrefix, {
    ...singleBrokerTopics,
    replicationFactor: Number(common.KAFKA_REPLICATION_FACTOR ?? 1),
    minInsyncReplicas: Number(common.KAFKA_MIN_INSYNC_REPLICAS ?? 1),
  });
  const login = (principal: string) => ({
    ...tls,
    KAFKA_SASL_MECHANISM: env.KAFKA_SASL_MECHANISM ?? '',
    KAFKA_SASL_USERNAME: principal,
    KAFKA_SASL_PASSWORD_FILE: join(dirname(env.KAFKA_SASL_PASSWORD_FILE ?? ''), `${principal}.password`),
  });
  return Object.fromEntries(KAFKA_SERVICE_PRINCIPALS.map((p) => [p, login(p)]));
}

export async function startPlatform(opts: PlatformOptions): Promise<RunningPlatform> {
  mkdirSync(opts.logDir, { recursive: true });
  const logins = await kafkaLogins(opts);
  const port = (i: number) => opts.basePort + i;
  const scheme = opts.tls ? 'https' : 'http';
  const url = (i: number) => `${scheme}://127.0.0.1:${port(i)}`;
  // This process (health probes, the tests' clients) trusts the platform's CA; so do the services.
  if (opts.tls) trustCaFile(opts.tls.caFile);
  const tlsEnv: Record<string, string> = opts.tls
    ? { TLS_CERT_FILE: opts.tls.certFile, TLS_KEY_FILE: opts.tls.keyFile, TLS_CA_FILE: opts.tls.caFile }
    : {};
  const common = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: opts.databaseUrl,
    KAFKA_BROKERS: opts.kafkaBrokers,
    TOPIC_PREFIX: opts.topicPrefix,
    LOG_LEVEL: opts.logLevel ?? 'info',
    POLICY_DIR: join(opts.root, 'policies/build'),
    CLEARING_URL: url(1),
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    ...tlsEnv,
    ...opts.commonEnv,
  };
  const db = (service: 'registry' | 'clearing') => ({
    DATABASE_URL: opts.databaseUrls?.[service] ?? opts.databaseUrl,
  });
  const env: Record<Service, Record<string, string>> = {
    registry: { ...common, ...db('registry'), PORT: String(port(0)) },
    clearing: {
      ...common,
      ...db('clearing'),
      PORT: String(port(1)),
      PUBLIC_URL: url(1),
      REGISTRY_PUBLIC_URL: url(0),
      SIGNING_KEYS: JSON.stringify(opts.secrets.signingKeys),
      ADMIN_JWKS: JSON.stringify({ keys: [publicPart(opts.secrets.adminKey)] }),
      EXCHANGE_JWKS: JSON.stringify({ keys: [publicPart(opts.secrets.exchangeKey)] }),
      KEY_ENCRYPTION_KEY: opts.secrets.keyEncryptionKey,
      EXCHANGE_PUBLIC_URL: url(2),
    },
    exchange: {
      // The exchange keeps no state (Kafka only): no database URL, so no database credentials either.
      ...withoutDatabase(common),
      PORT: String(port(2)),
      PSEUDONYM_SECRET: opts.secrets.pseudonymSecret,
      SERVICE_KEY: JSON.stringify(opts.secrets.exchangeKey),
    },
    'cps-sim': {
      PATH: common.PATH,
      LOG_LEVEL: common.LOG_LEVEL,
      ...tlsEnv,
      PORT: String(port(3)),
      REGISTRY_URL: url(0),
      CLEARING_URL: url(1),
      EXCHANGE_URL: url(2),
      CPS_PRIVATE_JWK: JSON.stringify(opts.secrets.cpsKey),
    },
    console: {
      PATH: common.PATH,
      LOG_LEVEL: common.LOG_LEVEL,
      ...tlsEnv,
      PORT: String(port(4)),
      REGISTRY_URL: url(0),
      CLEARING_URL: url(1),
      EXCHANGE_URL: url(2),
      CPS_SIM_URL: url(3),
    },
  };
  for (const [name, login] of Object.entries(logins)) Object.assign(env[name as Service], login);
  for (const [name, extra] of Object.entries(opts.env ?? {})) Object.assign(env[name as Service], extra);
  const all: Service[] = opts.console ? [...services, 'console'] : [...services];
  const children = new Map<string, ChildProcess>();
  const replicaCount = (name: ReplicatedService) => Math.max(1, opts.replicas?.[name] ?? 1);
  /** Replica i >= 1 of a service: its key in `children`, and its port (the usual one + 10 * i). */
  const replicaKey = (name: Service, index: number) => (index === 0 ? name : `${name}#${index}`);
  const replicaUrl = (name: ReplicatedService, index: number) =>
    `${scheme}://127.0.0.1:${port(all.indexOf(name)) + 10 * index}`;
  const exits = new Map<string, { code: number | null; signal: string | null; at: number }>();
  const stopOne = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  const stop = async () => {
    await Promise.all([...children.values()].map(stopOne));
  };
  const launch = async (name: Service, replica = 0) => {
    const i = all.indexOf(name);
    const log = createWriteStream(
      join(opts.logDir, replica === 0 ? `${name}.log` : `${name}-${replica}.log`),
      { flags: 'a' },
    );
    // RENKEI_CPU_PROFILE=<service> writes a V8 CPU profile of that service into the log folder.
    const profile =
      process.env.RENKEI_CPU_PROFILE === name ? ['--cpu-prof', `--cpu-prof-dir=${opts.logDir}`] : [];
    const child = spawn(
      process.execPath,
      [
        ...profile,
        '--enable-source-maps',
        join(opts.root, `dist/apps/${name}/src/${name === 'console' ? 'server' : 'main'}.js`),
      ],
      {
        cwd: opts.root,
        env: replica === 0 ? env[name] : { ...env[name], PORT: String(port(i) + 10 * replica) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    const key = replicaKey(name, replica);
    children.set(key, child);
    child.once('exit', (code, signal) => exits.set(key, { code, signal, at: Date.now() }));
    await waitHealthy(
      replica === 0 ? url(i) : replicaUrl(name as ReplicatedService, replica),
      child,
      replica === 0 ? name : `${name} replica ${replica}`,
    );
  };
  const extraReplicas = (['exchange', 'clearing'] as const).flatMap((name) =>
    Array.from({ length: replicaCount(name) - 1 }, (_, k) => [name, k + 1] as const),
  );
  const killProcess = async (child: ChildProcess | undefined, how: 'SIGTERM' | 'SIGKILL') => {
    if (!child) return;
    if (how === 'SIGTERM') return stopOne(child);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  try {
    await Promise.all(all.map((name) => launch(name)));
    // Started once replica 0 has migrated the database and created the topics.
    await Promise.all(extraReplicas.map(([name, index]) => launch(name, index)));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    endpoints: {
      registry: url(0),
      clearing: url(1),
      exchange: url(2),
      cpsSim: url(3),
      ...(opts.console ? { console: url(4) } : {}),
    },
    stop,
    pid: (name) => children.get(name)?.pid,
    replicas: Object.fromEntries(
      (['exchange', 'clearing'] as const).map((name) => [
        name,
        Array.from({ length: replicaCount(name) }, (_, index) => ({
          index,
          url: replicaUrl(name, index),
          process: () => children.get(replicaKey(name, index)),
        })),
      ]),
    ) as Record<ReplicatedService, Replica[]>,
    killReplica: (name, index, how = 'SIGKILL') => killProcess(children.get(replicaKey(name, index)), how),
    async restartReplica(name, index) {
      await killProcess(children.get(replicaKey(name, index)), 'SIGTERM');
      await launch(name, index);
    },
    lastExit: (name) => exits.get(name),
    async restart(name, how = 'SIGTERM', extraEnv) {
      if (extraEnv) Object.assign(env[name], extraEnv);
      const child = children.get(name);
      if (child) {
        if (how === 'SIGKILL') {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGKILL');
          await exited;
        } else {
          await stopOne(child);
        }
      }
      await launch(name);
    },
  };
}
