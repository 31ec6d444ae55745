/**
 * `npm start` / `renkei-platform [service…]`: runs a chosen set of services from the build (dist/), one
 * supervised child process each (ADR 0037).
 *
 * - Which: the arguments, else SERVICES (comma list), else all: registry, clearing, exchange, cps-sim, console.
 * - Configuration: the launcher's environment; `<SERVICE>__NAME` sets NAME for one service only (e.g.
 *   `EXCHANGE__PORT=3003`, `CLEARING__DATABASE_URL=…`). NODE_ENV defaults to production: no development
 *   fallbacks for secrets. Every setting of every chosen service is checked before any starts; a wrong one
 *   stops the launcher with status 2 and each named (`clearing: KEY_ENCRYPTION_KEY: …`).
 * - Supervision: a child that exits on its own is restarted after a pause that doubles (1 s … 30 s; back to
 *   1 s once it has run for a minute). A child that exits with status 2 (its configuration) is not.
 * - Signals: SIGTERM / SIGINT go to every child, which shuts down gracefully within its SHUTDOWN_TIMEOUT_MS;
 *   the launcher exits 0 when all exited 0, else 1. A child still running 5 s past that deadline is killed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkServices, platformServices, serviceEnv, type PlatformService } from '../apps/services.js';

const RESTART_MIN_MS = 1_000;
const RESTART_MAX_MS = 30_000;
const HEALTHY_AFTER_MS = 60_000;
const KILL_GRACE_MS = 5_000;

const log = (fields: Record<string, unknown>, msg: string) =>
  process.stdout.write(
    JSON.stringify({ level: 30, time: Date.now(), service: 'renkei-platform', ...fields, msg }) + '\n',
  );

function chosen(argv: string[], env: NodeJS.ProcessEnv): PlatformService[] | string {
  const names = (argv.length > 0 ? argv.join(',') : (env.SERVICES ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) return [...platformServices];
  const unknown = names.filter((n) => !platformServices.some((s) => s.name === n));
  if (unknown.length > 0)
    return `SERVICES: unknown service(s) ${unknown.join(', ')}; choose from ${platformServices.map((s) => s.name).join(', ')}`;
  return platformServices.filter((s) => names.includes(s.name));
}

interface Supervised {
  service: PlatformService;
  env: NodeJS.ProcessEnv;
  child?: ChildProcess;
  startedAt: number;
  backoffMs: number;
  restartTimer?: NodeJS.Timeout;
  exitCode?: number | null;
}

function main(): void {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'production' };
  const services = chosen(process.argv.slice(2), env);
  if (typeof services === 'string') {
    process.stderr.write(`renkei-platform: ${services}\n`);
    process.exit(2);
  }
  const problems = checkServices(services, env);
  if (problems.length > 0) {
    process.stderr.write(
      `renkei-platform: invalid configuration, nothing was started:\n${problems.map((p) => `  ${p}`).join('\n')}\n` +
        'Set these environment variables (<SERVICE>__NAME for one service only) and start again.\n',
    );
    process.exit(2);
  }
  const dist = fileURLToPath(new URL('..', import.meta.url));
  for (const service of services) {
    if (!existsSync(`${dist}/${service.main}`)) {
      process.stderr.write(`renkei-platform: no build of ${service.name} in ${dist}: run npm run build\n`);
      process.exit(2);
    }
  }
  let stopping = false;
  const supervised: Supervised[] = services.map((service) => ({
    service,
    env: serviceEnv(service, env),
    startedAt: 0,
    backoffMs: RESTART_MIN_MS,
  }));

  const start = (s: Supervised) => {
    s.startedAt = Date.now();
    s.exitCode = undefined;
    const child = spawn(process.execPath, [`${dist}/${s.service.main}`], { env: s.env, stdio: 'inherit' });
    s.child = child;
    log({ child: s.service.name, pid: child.pid }, 'started');
    child.on('exit', (code, signal) => {
      s.child = undefined;
      s.exitCode = code;
      if (stopping) {
        log({ child: s.service.name, code, signal }, 'stopped');
        finishIfDone();
        return;
      }
      if (code === 2) {
        log({ child: s.service.name, code }, 'exited on its configuration; not restarted, stopping the rest');
        stop('SIGTERM', 2);
        return;
      }
      if (Date.now() - s.startedAt > HEALTHY_AFTER_MS) s.backoffMs = RESTART_MIN_MS;
      log({ child: s.service.name, code, signal, restartInMs: s.backoffMs }, 'exited; restarting');
      s.restartTimer = setTimeout(() => start(s), s.backoffMs);
      s.backoffMs = Math.min(s.backoffMs * 2, RESTART_MAX_MS);
    });
  };

  let exitStatus = 0;
  const finishIfDone = () => {
    if (supervised.some((s) => s.child)) return;
    const failed = supervised.filter((s) => s.exitCode !== 0 && s.exitCode !== undefined);
    process.exit(exitStatus || (failed.length > 0 ? 1 : 0));
  };

  const stop = (signal: NodeJS.Signals, status = 0) => {
    if (stopping) return;
    stopping = true;
    exitStatus = status;
    log({ signal }, 'stopping every service');
    for (const s of supervised) {
      clearTimeout(s.restartTimer);
      s.child?.kill(signal);
    }
    const deadline =
      Math.max(...supervised.map((s) => Number(s.env.SHUTDOWN_TIMEOUT_MS ?? 25_000) || 25_000)) +
      KILL_GRACE_MS;
    setTimeout(() => {
      for (const s of supervised) {
        if (!s.child) continue;
        log({ child: s.service.name }, 'still running past its shutdown deadline; killed');
        s.child.kill('SIGKILL');
      }
      exitStatus ||= 1;
    }, deadline).unref();
    finishIfDone();
  };

  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  log({ services: services.map((s) => s.name), nodeEnv: env.NODE_ENV }, 'starting');
  for (const s of supervised) start(s);
}

main();
