/** What every benchmark report records about the machine, and where it is written (docs/bench). */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { round } from './stats.js';

const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  loadAverage: number[];
  node: string;
  v8: string;
  platform: string;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    loadAverage: os.loadavg().map((x) => round(x)),
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()}`,
  };
}

/**
 * Writes docs/bench/<name>-<date>[-quick].json (just <date>[-quick].json for an empty name) with the date,
 * the machine (plus `extra`, e.g. the OPA version), and the results; returns the path from the repo root.
 */
export function writeReport(
  name: string,
  quick: boolean,
  results: unknown,
  extra: { machine?: Record<string, unknown>; [key: string]: unknown } = {},
): { file: string; report: Record<string, unknown> } {
  const { machine: machineExtra, ...rest } = extra;
  const now = new Date().toISOString();
  const report = { date: now, quick, machine: { ...machine(), ...machineExtra }, ...rest, results };
  const base = `${name ? `${name}-` : ''}${now.slice(0, 10)}${quick ? '-quick' : ''}.json`;
  mkdirSync(`${root}/docs/bench`, { recursive: true });
  writeFileSync(`${root}/docs/bench/${base}`, JSON.stringify(report, null, 2) + '\n');
  return { file: `docs/bench/${base}`, report };
}
