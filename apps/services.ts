/**
 * The services `npm start` (scripts/platform.ts, the `renkei-platform` command) can run, with the schema
 * each one's environment is validated against, and the settings table docs/operations.md shows (generated
 * from the schemas' describe(): `npm run config:doc`; apps/services.spec.ts checks it is current).
 */
import type { z } from 'zod';
import {
  edgeConfigSchema,
  loadServiceConfig,
  shutdownConfigSchema,
  type ListenSettings,
} from '@renkei/platform';
import { clearingConfigSchema, clearingRequiredInProduction } from './clearing/src/clearing.config.js';
import { consoleConfigSchema } from './console/src/console.config.js';
import { cpsConfigSchema } from './cps-sim/src/cps-sim.config.js';
import { exchangeConfigSchema, exchangeRequiredInProduction } from './exchange/src/exchange.config.js';
import { registryConfigSchema } from './registry/src/registry.config.js';

export interface PlatformService {
  name: 'registry' | 'clearing' | 'exchange' | 'cps-sim' | 'console';
  /** The built entry point, relative to dist/. */
  main: string;
  /** `<PREFIX>__NAME` in the launcher's environment is NAME for this service alone (e.g. EXCHANGE__PORT). */
  prefix: string;
  config: z.ZodType<ListenSettings, unknown>;
  requiredInProduction: readonly string[];
}

export const platformServices: readonly PlatformService[] = [
  {
    name: 'registry',
    main: 'apps/registry/src/main.js',
    prefix: 'REGISTRY',
    config: registryConfigSchema,
    requiredInProduction: [],
  },
  {
    name: 'clearing',
    main: 'apps/clearing/src/main.js',
    prefix: 'CLEARING',
    config: clearingConfigSchema,
    requiredInProduction: clearingRequiredInProduction,
  },
  {
    name: 'exchange',
    main: 'apps/exchange/src/main.js',
    prefix: 'EXCHANGE',
    config: exchangeConfigSchema,
    requiredInProduction: exchangeRequiredInProduction,
  },
  {
    name: 'cps-sim',
    main: 'apps/cps-sim/src/main.js',
    prefix: 'CPS_SIM',
    config: cpsConfigSchema,
    requiredInProduction: [],
  },
  {
    name: 'console',
    main: 'apps/console/src/server.js',
    prefix: 'CONSOLE',
    config: consoleConfigSchema,
    requiredInProduction: [],
  },
];

/**
 * One service's environment under the launcher: everything the launcher has, with `<PREFIX>__NAME` set as
 * NAME (and other services' prefixed settings left out), so that one environment can configure several
 * services that read the same names (PORT, DATABASE_URL with a role per service, …).
 */
export function serviceEnv(service: PlatformService, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const prefixes = platformServices.map((s) => `${s.prefix}__`);
  const own = `${service.prefix}__`;
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    if (!prefixes.some((p) => key.startsWith(p))) out[key] = value;
  }
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(own) && key.length > own.length) out[key.slice(own.length)] = value;
  }
  return out;
}

/**
 * Every wrong setting of the chosen services, each named with its service (`clearing: KEY_ENCRYPTION_KEY:
 * …`), and two services that would listen on the same address. Empty: all may start.
 */
export function checkServices(services: readonly PlatformService[], env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  const listening = new Map<string, string>();
  for (const service of services) {
    try {
      const { config } = loadServiceConfig(service, serviceEnv(service, env));
      const address = `${config.HOST}:${config.PORT}`;
      const other = listening.get(address);
      if (other)
        problems.push(
          `${service.name}: PORT: ${config.PORT} is ${other}'s as well (set ${service.prefix}__PORT)`,
        );
      listening.set(address, service.name);
    } catch (error) {
      for (const line of (error as Error).message.split('\n').filter((l) => l.startsWith('  ')))
        problems.push(`${service.name}: ${line.trim()}`);
    }
  }
  return problems;
}

interface FieldDoc {
  required: boolean;
  fallback: string | undefined;
  type: string;
  description: string | undefined;
}

/** What a zod field says about itself, through its wrappers (default, optional, pipe, …). */
function fieldDoc(field: z.ZodType): FieldDoc {
  const doc: FieldDoc = { required: true, fallback: undefined, type: 'string', description: undefined };
  let node: z.ZodType | undefined = field;
  for (let depth = 0; node && depth < 10; depth++) {
    doc.description ??= node.description;
    const def = (node as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
    const type = def.type as string;
    if (type === 'default' || type === 'prefault') {
      doc.required = false;
      const value = def.defaultValue;
      doc.fallback ??= typeof value === 'string' ? value : JSON.stringify(value);
      node = def.innerType as z.ZodType;
    } else if (type === 'optional') {
      doc.required = false;
      node = def.innerType as z.ZodType;
    } else if (type === 'pipe') {
      node = def.in as z.ZodType;
    } else {
      if (type === 'enum') doc.type = Object.keys(def.entries as object).join(' \\| ');
      else if (type === 'number') doc.type = 'number';
      else if (type === 'string' && (def.format === 'url' || (node as { format?: string }).format === 'url'))
        doc.type = 'URL';
      else if (type === 'string' && Array.isArray(def.checks) && def.checks.length > 0) doc.type = 'string';
      else doc.type = type;
      node = undefined;
    }
  }
  return doc;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * The settings table of docs/operations.md: one row per setting, with the services that read it, whether it
 * is required (and where only in production), its default and its description.
 */
export function renderSettingsTable(): string {
  type Row = {
    services: string[];
    defaults: Map<string, string[]>;
    doc: FieldDoc;
    production: string[];
    requiredBy: string[];
  };
  const rows = new Map<string, Row>();
  const add = (service: string, name: string, field: z.ZodType, production: boolean) => {
    const doc = fieldDoc(field);
    const row: Row = rows.get(name) ?? {
      services: [],
      defaults: new Map(),
      doc,
      production: [],
      requiredBy: [],
    };
    row.services.push(service);
    row.doc.description ??= doc.description;
    if (doc.required) row.requiredBy.push(service);
    const fallback = doc.fallback ?? '';
    row.defaults.set(fallback, [...(row.defaults.get(fallback) ?? []), service]);
    if (production) row.production.push(service);
    rows.set(name, row);
  };
  for (const service of platformServices) {
    const shape = (service.config as unknown as { shape: Record<string, z.ZodType> }).shape;
    for (const [name, field] of Object.entries(shape))
      add(service.name, name, field, service.requiredInProduction.includes(name));
    for (const shared of [edgeConfigSchema, shutdownConfigSchema]) {
      const sharedShape = (shared as unknown as { shape: Record<string, z.ZodType> }).shape;
      for (const [name, field] of Object.entries(sharedShape)) add(service.name, name, field, false);
    }
  }
  const all = platformServices.map((s) => s.name);
  const lines = [
    '| Setting | Services | Required | Default | Description |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const [name, row] of [...rows].sort(([a], [b]) => a.localeCompare(b))) {
    const services = row.services.length === all.length ? 'all' : row.services.join(', ');
    const required =
      row.requiredBy.length > 0
        ? `yes${row.requiredBy.length === row.services.length ? '' : ` (${row.requiredBy.join(', ')})`}`
        : row.production.length > 0
          ? `in production${row.production.length === row.services.length ? '' : ` (${row.production.join(', ')})`}`
          : 'no';
    const defaults = [...row.defaults].filter(([value]) => value !== '');
    const fallback =
      defaults.length === 0
        ? ''
        : defaults.length === 1 && defaults[0]![1].length === row.services.length
          ? `\`${defaults[0]![0]}\``
          : defaults.map(([value, services]) => `\`${value}\` (${services.join(', ')})`).join('; ');
    lines.push(
      `| \`${name}\` | ${services} | ${required} | ${cell(fallback)} | ${cell(row.doc.description ?? '')} |`,
    );
  }
  return lines.join('\n') + '\n';
}

/** The markers around the generated table in docs/operations.md. */
export const SETTINGS_BEGIN = '<!-- settings:begin (npm run config:doc) -->';
export const SETTINGS_END = '<!-- settings:end -->';

/**
 * The page as Markdown means it: table cells without their padding (prettier aligns the committed table;
 * the generator does not), so that a formatted page compares equal to a freshly generated one.
 */
export function normalizeTables(page: string): string {
  return page
    .split('\n')
    .map((line) =>
      line.startsWith('|')
        ? line
            .replace(/ *\| */g, '|')
            .replace(/\|-{3,}(?=\|)/g, '|---')
            .trimEnd()
        : line,
    )
    .join('\n');
}

/** Whether the table between the markers is the one the schemas generate (formatting aside). */
export function settingsTableIsCurrent(page: string): boolean {
  return normalizeTables(withSettingsTable(page)) === normalizeTables(page);
}

/** docs/operations.md with the table between its markers replaced by the current one. */
export function withSettingsTable(page: string): string {
  const begin = page.indexOf(SETTINGS_BEGIN);
  const end = page.indexOf(SETTINGS_END);
  if (begin < 0 || end < begin)
    throw new Error(`docs/operations.md has no ${SETTINGS_BEGIN} … ${SETTINGS_END}`);
  return `${page.slice(0, begin + SETTINGS_BEGIN.length)}\n\n${renderSettingsTable()}\n${page.slice(end)}`;
}
