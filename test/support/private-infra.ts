/**
 * A Kafka broker and a PostgreSQL server private to the reliability tests, because those tests kill,
 * stop and restart them: the shared instances the rest of the suite uses are never touched. Kafka is
 * scripts/kafka.sh on its own ports and state directory; PostgreSQL is a throw-away cluster (initdb) run
 * as the postgres user. Processes are signalled by their own pid only.
 */
import { execFileSync, execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = new URL('../..', import.meta.url).pathname;

/**
 * Ports inside the reliability tests' range (4441-4479): services use 4441-4460, infrastructure 4470+.
 * RELIABILITY_INFRA_PORT moves the three infrastructure ports (worktrees sharing a machine).
 */
const infraPort = Number(process.env.RELIABILITY_INFRA_PORT ?? 4470);
export const privatePorts = { kafka: infraPort, kafkaController: infraPort + 1, postgres: infraPort + 2 };
const stateDir = join(repoRoot, '.renkei/reliability');

const kafkaEnv = () => ({
  ...process.env,
  KAFKA_PORT: String(privatePorts.kafka),
  KAFKA_CONTROLLER_PORT: String(privatePorts.kafkaController),
  RENKEI_STATE_DIR: stateDir,
});

export const privateKafka = {
  brokers: `127.0.0.1:${privatePorts.kafka}`,
  pidFile: join(stateDir, `kafka-${privatePorts.kafka}`, 'kafka.pid'),
  /** Starts (or restarts after a kill) the broker; resolves when it is ready. Data survives a restart. */
  start(): void {
    // A broker is formatted for one mode (KAFKA_SECURITY, scripts/kafka.sh): this throw-away one starts
    // afresh when the run's mode is not the one it was formatted for.
    const dir = join(stateDir, `kafka-${privatePorts.kafka}`);
    const wanted = process.env.KAFKA_SECURITY ?? 'plaintext';
    const formatted = existsSync(join(dir, 'security'))
      ? readFileSync(join(dir, 'security'), 'utf8').trim()
      : existsSync(join(dir, 'data'))
        ? 'plaintext'
        : wanted;
    if (formatted !== wanted && this.pid() === null) rmSync(dir, { recursive: true, force: true });
    execFileSync('bash', [join(repoRoot, 'scripts/kafka.sh'), 'start'], { env: kafkaEnv(), stdio: 'ignore' });
  },
  pid(): number | null {
    if (!existsSync(this.pidFile)) return null;
    const pid = Number(readFileSync(this.pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  },
  /** SIGKILL: the broker dies at once, as in a crash or an OOM kill. Waits (without blocking) until it is gone. */
  async kill(): Promise<void> {
    const pid = this.pid();
    if (pid === null) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return;
    }
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  },
  stop(): void {
    execFileSync('bash', [join(repoRoot, 'scripts/kafka.sh'), 'stop'], { env: kafkaEnv(), stdio: 'ignore' });
  },
};

const pgDir = join(stateDir, 'postgres');
const pgBin = (tool: string): string => {
  const versions = existsSync('/usr/lib/postgresql')
    ? execSync('ls /usr/lib/postgresql').toString().split(/\s+/)
    : [];
  const version = versions
    .filter(Boolean)
    .sort((a, b) => Number(a) - Number(b))
    .pop();
  return version ? `/usr/lib/postgresql/${version}/bin/${tool}` : tool;
};
const asPostgres = (command: string) => {
  const asRoot = process.getuid?.() === 0;
  return execSync(asRoot ? `su postgres -s /bin/bash -c ${JSON.stringify(command)}` : command, {
    stdio: ['ignore', 'pipe', 'pipe'],
  }).toString();
};

export const privatePostgres = {
  adminUrl: `postgresql://renkei:renkei-test@127.0.0.1:${privatePorts.postgres}/renkei`,
  /** A fresh cluster in .renkei/reliability/postgres (trust on 127.0.0.1 only), started and with a renkei role. */
  start(): void {
    this.stop();
    rmSync(pgDir, { recursive: true, force: true });
    mkdirSync(pgDir, { recursive: true });
    if (process.getuid?.() === 0)
      execSync(`chown postgres ${JSON.stringify(pgDir)} ${JSON.stringify(stateDir)}`);
    asPostgres(`${pgBin('initdb')} -D ${pgDir} -U postgres --auth=trust -E UTF8 >/dev/null`);
    asPostgres(
      `${pgBin('pg_ctl')} -D ${pgDir} -l ${pgDir}/server.log -w -o "-p ${privatePorts.postgres} -k ${pgDir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" start >/dev/null`,
    );
    asPostgres(
      `${pgBin('psql')} -h ${pgDir} -p ${privatePorts.postgres} -U postgres -q -c "CREATE ROLE renkei LOGIN CREATEDB SUPERUSER PASSWORD 'renkei-test'" -c "CREATE DATABASE renkei OWNER renkei"`,
    );
  },
  stop(): void {
    if (!existsSync(join(pgDir, 'postmaster.pid'))) return;
    this.resume();
    try {
      asPostgres(`${pgBin('pg_ctl')} -D ${pgDir} -m immediate -w stop >/dev/null`);
    } catch {
      // not running
    }
  },
  /** The postmaster and every backend it forked: all of PostgreSQL, by pid. */
  pids(): number[] {
    const file = join(pgDir, 'postmaster.pid');
    if (!existsSync(file)) return [];
    const main = Number(readFileSync(file, 'utf8').split('\n')[0]);
    const children = execSync(`ps -o pid= --ppid ${main} || true`)
      .toString()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
    return [main, ...children];
  },
  /** SIGSTOP: the server stops answering but keeps every connection open (a hung host, a long GC pause). */
  pause(): void {
    for (const pid of this.pids()) process.kill(pid, 'SIGSTOP');
  },
  resume(): void {
    for (const pid of this.pids()) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // gone
      }
    }
  },
};
