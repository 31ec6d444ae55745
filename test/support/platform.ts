/**
 * Starts the four services as real processes (built code in dist/) against a real PostgreSQL and Kafka,
 * for the end-to-end tests and the demo. Nothing here is a stand-in: it is how an operator runs them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { generatePrivateJwk, publicPart } from '@renkei/auth';
import type { JWK } from 'jose';

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
}

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
}

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

export async function startPlatform(opts: PlatformOptions): Promise<RunningPlatform> {
  mkdirSync(opts.logDir, { recursive: true });
  const port = (i: number) => opts.basePort + i;
  const url = (i: number) => `http://127.0.0.1:${port(i)}`;
  const common = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: opts.databaseUrl,
    KAFKA_BROKERS: opts.kafkaBrokers,
    TOPIC_PREFIX: opts.topicPrefix,
    LOG_LEVEL: opts.logLevel ?? 'info',
    POLICY_DIR: join(opts.root, 'policies/build'),
    CLEARING_URL: url(1),
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    ...opts.commonEnv,
  };
  const env: Record<Service, Record<string, string>> = {
    registry: { ...common, PORT: String(port(0)) },
    clearing: {
      ...common,
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
      ...common,
      PORT: String(port(2)),
      PSEUDONYM_SECRET: opts.secrets.pseudonymSecret,
      SERVICE_KEY: JSON.stringify(opts.secrets.exchangeKey),
    },
    'cps-sim': {
      PATH: common.PATH,
      LOG_LEVEL: common.LOG_LEVEL,
      PORT: String(port(3)),
      REGISTRY_URL: url(0),
      CLEARING_URL: url(1),
      EXCHANGE_URL: url(2),
      CPS_PRIVATE_JWK: JSON.stringify(opts.secrets.cpsKey),
    },
    console: {
      PATH: common.PATH,
      LOG_LEVEL: common.LOG_LEVEL,
      PORT: String(port(4)),
      REGISTRY_URL: url(0),
      CLEARING_URL: url(1),
      EXCHANGE_URL: url(2),
      CPS_SIM_URL: url(3),
    },
  };
  for (const [name, extra] of Object.entries(opts.env ?? {})) Object.assign(env[name as Service], extra);
  const all: Service[] = opts.console ? [...services, 'console'] : [...services];
  const children = new Map<Service, ChildProcess>();
  const exits = new Map<Service, { code: number | null; signal: string | null; at: number }>();
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
  const launch = async (name: Service) => {
    const i = all.indexOf(name);
    const log = createWriteStream(join(opts.logDir, `${name}.log`), { flags: 'a' });
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
        env: env[name],
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    children.set(name, child);
    child.once('exit', (code, signal) => exits.set(name, { code, signal, at: Date.now() }));
    await waitHealthy(url(i), child, name);
  };
  try {
    await Promise.all(all.map(launch));
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
