/**
 * `npm start` (scripts/renkei-platform.mjs → scripts/platform.ts, ADR 0037) as an operator runs it: the real
 * launcher from the build, supervising real services (the CPS twin and the console, which need neither
 * Kafka nor PostgreSQL to come up, so that what is tested is the launcher). It checks every setting before
 * anything starts; it restarts a child that dies, after a pause that doubles; SIGTERM reaches every child,
 * which shuts down gracefully, and the launcher exits 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/test-platform.js';
import { testTls } from '../support/tls.js';
import { trustCaFile } from '@renkei/platform';

const basePort = Number(process.env.RENKEI_E2E_BASE_PORT ?? 4870);
const ports = { cps: basePort + 0, console: basePort + 1 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface LogLine {
  service?: string;
  child?: string;
  pid?: number;
  code?: number | null;
  signal?: string | null;
  restartInMs?: number;
  msg?: string;
}

/** The launcher as a process, with its own JSON lines (children's lines are ignored) and its exit. */
class Launcher {
  readonly lines: LogLine[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly proc: ChildProcess;

  constructor(env: Record<string, string>, args: string[] = []) {
    this.proc = spawn(process.execPath, [`${repoRoot}/scripts/renkei-platform.mjs`, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    this.proc.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const part of parts) {
        try {
          const line = JSON.parse(part) as LogLine;
          if (line.service === 'renkei-platform') this.lines.push(line);
        } catch {
          // a child's non-JSON output
        }
      }
    });
    this.proc.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) =>
      this.proc.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  kill(signal: NodeJS.Signals): void {
    this.proc.kill(signal);
  }

  /** The `started` lines of one child: its pids, in order. */
  pids(child: string): number[] {
    return this.lines.filter((l) => l.child === child && l.msg === 'started').map((l) => l.pid!);
  }

  async until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline)
        throw new Error(`${what}: not within ${timeoutMs} ms; launcher lines: ${JSON.stringify(this.lines)}`);
      await sleep(100);
    }
  }
}

/** 200 from a service's liveness route, or the failure as a string. */
async function live(url: string): Promise<number | string> {
  try {
    const res = await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status;
  } catch (error) {
    return String(error);
  }
}

async function untilLive(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await live(url)) !== 200) {
    if (Date.now() > deadline) throw new Error(`${url} not live within ${timeoutMs} ms`);
    await sleep(150);
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const tls = testTls();
if (tls) trustCaFile(tls.caFile);
const scheme = tls ? 'https' : 'http';
const urls = { cps: `${scheme}://127.0.0.1:${ports.cps}`, console: `${scheme}://127.0.0.1:${ports.console}` };
const baseEnv = (): Record<string, string> => ({
  ...(tls ? { TLS_CERT_FILE: tls.certFile, TLS_KEY_FILE: tls.keyFile, TLS_CA_FILE: tls.caFile } : {}),
  SERVICES: 'cps-sim,console',
  LOG_LEVEL: 'warn',
  CPS_SIM__PORT: String(ports.cps),
  CONSOLE__PORT: String(ports.console),
  CONSOLE__CPS_SIM_URL: urls.cps,
  SHUTDOWN_TIMEOUT_MS: '10000',
});

let running: Launcher | undefined;
afterEach(async () => {
  if (!running) return;
  running.kill('SIGKILL');
  await running.exited;
  // The children outlive a SIGKILLed launcher: end them by the pids it reported.
  for (const pid of [...running.pids('cps-sim'), ...running.pids('console')])
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  running = undefined;
});

describe('renkei-platform (npm start)', () => {
  it('refuses a wrong setting before starting anything: exit 2, the setting and its service named', async () => {
    const launcher = new Launcher({ ...baseEnv(), CPS_SIM__PORT: 'eighty' });
    const { code } = await launcher.exited;
    expect(code).toBe(2);
    expect(launcher.stderr).toMatch(/cps-sim: PORT\b/);
    expect(launcher.stderr).toMatch(/nothing was started/);
    expect(launcher.lines.filter((l) => l.msg === 'started')).toEqual([]);
    expect(await live(urls.console)).not.toBe(200);
  });

  it('refuses an unknown service name with the list to choose from', async () => {
    const launcher = new Launcher(baseEnv(), ['cps-sim', 'billing']);
    expect((await launcher.exited).code).toBe(2);
    expect(launcher.stderr).toMatch(/unknown service\(s\) billing; choose from registry, clearing/);
  });

  it('restarts a child that dies, after 1 s and then 2 s, and leaves the others alone', async () => {
    const launcher = (running = new Launcher(baseEnv()));
    await launcher.until(
      'both children started',
      () => launcher.pids('console').length === 1 && launcher.pids('cps-sim').length === 1,
    );
    await untilLive(urls.cps);
    await untilLive(urls.console);
    const [consolePid] = launcher.pids('console');

    // A crash: SIGKILL, no chance to clean up.
    const [first] = launcher.pids('cps-sim');
    process.kill(first!, 'SIGKILL');
    const exit1 = await launcher.until('the first exit reported', () =>
      launcher.lines.find((l) => l.child === 'cps-sim' && l.msg === 'exited; restarting'),
    );
    expect(exit1).toMatchObject({ signal: 'SIGKILL', restartInMs: 1_000 });
    const second = await launcher.until('a second cps-sim', () => launcher.pids('cps-sim')[1]);
    expect(second).not.toBe(first);
    await untilLive(urls.cps);

    // It crashes again soon after: the pause doubles.
    process.kill(second, 'SIGKILL');
    const exit2 = await launcher.until(
      'the second exit reported',
      () => launcher.lines.filter((l) => l.child === 'cps-sim' && l.msg === 'exited; restarting')[1],
    );
    expect(exit2.restartInMs).toBe(2_000);
    const third = await launcher.until('a third cps-sim', () => launcher.pids('cps-sim')[2]);
    expect(third).not.toBe(second);
    await untilLive(urls.cps);

    // The console was never touched.
    expect(launcher.pids('console')).toEqual([consolePid]);
    expect(alive(consolePid!)).toBe(true);
    expect(await live(urls.console)).toBe(200);
  });

  it('forwards SIGTERM to every child, which stops gracefully, and exits 0 without restarting any', async () => {
    const launcher = (running = new Launcher(baseEnv()));
    await launcher.until(
      'both children started',
      () => launcher.pids('console').length === 1 && launcher.pids('cps-sim').length === 1,
    );
    await untilLive(urls.cps);
    await untilLive(urls.console);
    const children = [launcher.pids('cps-sim')[0]!, launcher.pids('console')[0]!];

    launcher.kill('SIGTERM');
    const { code, signal } = await launcher.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const stopped = launcher.lines.filter((l) => l.msg === 'stopped');
    expect(stopped.map((l) => l.child).sort()).toEqual(['console', 'cps-sim']);
    // Each child exited on its own with 0 after the forwarded signal, not killed by the launcher's deadline.
    for (const line of stopped) expect(line).toMatchObject({ code: 0, signal: null });
    expect(launcher.lines.some((l) => l.msg?.includes('killed'))).toBe(false);
    expect(launcher.lines.some((l) => l.msg === 'exited; restarting')).toBe(false);
    for (const pid of children) expect(alive(pid)).toBe(false);
    expect(await live(urls.cps)).not.toBe(200);
    running = undefined;
  });
});
