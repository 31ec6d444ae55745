/**
 * A small in-memory stand-in for the part of the Prisma client clearing's services use, for unit specs:
 * tables of rows with Prisma's filters (equality, in/notIn, not, lt/lte/gt/gte, AND/OR, JSON path
 * equals), orderBy, take and select; `$transaction` rolls every table back when its function throws;
 * row locks and advisory locks (`$executeRaw`) are no-ops, as one test runs one call at a time.
 * Integration and e2e tests run the real client on PostgreSQL; this only lets a service's own logic be
 * tested fast. A filter it does not know fails loudly instead of matching silently.
 */
import { randomUUID } from 'node:crypto';
import { Prisma, type PrismaClient } from '@renkei/persistence';
import { decisionColumns } from '../audit/audit-entries.js';

export type MemoryRow = Record<string, unknown>;
type Where = Record<string, unknown>;
type Order = Record<string, 'asc' | 'desc'>;

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !(v instanceof Date) && !Array.isArray(v);

const key = (v: unknown): unknown => (v instanceof Date ? v.getTime() : v);
const equal = (a: unknown, b: unknown): boolean => key(a) === key(b);
const compare = (a: unknown, b: unknown): number => {
  const x = key(a) as number | bigint | string;
  const y = key(b) as number | bigint | string;
  return x < y ? -1 : x > y ? 1 : 0;
};

function matchesField(value: unknown, condition: unknown): boolean {
  if (!isPlain(condition)) return equal(value, condition);
  if ('path' in condition) {
    let v: unknown = value;
    for (const step of condition.path as string[]) v = isPlain(v) ? v[step] : undefined;
    return equal(v, condition.equals);
  }
  for (const [op, arg] of Object.entries(condition)) {
    const ok = (() => {
      switch (op) {
        case 'equals':
          return equal(value, arg);
        case 'in':
          return (arg as unknown[]).some((a) => equal(value, a));
        case 'notIn':
          return !(arg as unknown[]).some((a) => equal(value, a));
        case 'not':
          return !matchesField(value, arg);
        case 'lt':
          return value != null && compare(value, arg) < 0;
        case 'lte':
          return value != null && compare(value, arg) <= 0;
        case 'gt':
          return value != null && compare(value, arg) > 0;
        case 'gte':
          return value != null && compare(value, arg) >= 0;
        default:
          throw new Error(`memory store: filter '${op}' is not supported`);
      }
    })();
    if (!ok) return false;
  }
  return true;
}

export function matches(row: MemoryRow, where: Where | undefined): boolean {
  if (!where) return true;
  return Object.entries(where).every(([field, condition]) => {
    if (field === 'AND') return (condition as Where[]).every((w) => matches(row, w));
    if (field === 'OR') return (condition as Where[]).some((w) => matches(row, w));
    return matchesField(row[field], condition);
  });
}

function ordered(rows: MemoryRow[], orderBy: Order | Order[] | undefined): MemoryRow[] {
  const orders = orderBy === undefined ? [] : Array.isArray(orderBy) ? orderBy : [orderBy];
  return [...rows].sort((a, b) => {
    for (const o of orders) {
      for (const [field, dir] of Object.entries(o)) {
        const c = compare(a[field], b[field]);
        if (c !== 0) return dir === 'asc' ? c : -c;
      }
    }
    return 0;
  });
}

const picked = (row: MemoryRow, select: Record<string, boolean> | undefined): MemoryRow =>
  select ? Object.fromEntries(Object.keys(select).map((k) => [k, row[k]])) : { ...row };

/** Prisma's "store SQL NULL" marker becomes null. */
const stored = (data: MemoryRow): MemoryRow =>
  Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v === Prisma.DbNull ? null : v]));

interface FindArgs {
  where?: Where;
  orderBy?: Order | Order[];
  take?: number;
  select?: Record<string, boolean>;
}

export class MemoryTable {
  rows: MemoryRow[] = [];

  constructor(
    private readonly defaults: () => MemoryRow = () => ({}),
    /** A column with a unique index: a second row with the same value fails like PostgreSQL (P2002). */
    private readonly unique?: string,
    /** Columns the database generates from the others (GENERATED ALWAYS AS … STORED). */
    private readonly generated: (row: MemoryRow) => MemoryRow = () => ({}),
  ) {}

  findMany(args: FindArgs = {}): Promise<MemoryRow[]> {
    const found = ordered(
      this.rows.filter((r) => matches(r, args.where)),
      args.orderBy,
    );
    return Promise.resolve(found.slice(0, args.take ?? found.length).map((r) => picked(r, args.select)));
  }

  async findFirst(args: FindArgs = {}): Promise<MemoryRow | null> {
    return (await this.findMany({ ...args, take: 1 }))[0] ?? null;
  }

  findUnique(args: FindArgs): Promise<MemoryRow | null> {
    return this.findFirst(args);
  }

  async findUniqueOrThrow(args: FindArgs): Promise<MemoryRow> {
    const row = await this.findFirst(args);
    if (!row) throw new Error('memory store: no such row');
    return row;
  }

  create(args: { data: MemoryRow }): Promise<MemoryRow> {
    const given = { ...this.defaults(), ...stored(args.data) };
    const row = { ...given, ...this.generated(given) };
    const column = this.unique;
    if (column && this.rows.some((r) => equal(r[column], row[column]))) {
      return Promise.reject(
        new Prisma.PrismaClientKnownRequestError(`Unique constraint failed on ${column}`, {
          code: 'P2002',
          clientVersion: 'memory',
        }),
      );
    }
    this.rows.push(row);
    return Promise.resolve({ ...row });
  }

  async createMany(args: { data: MemoryRow[] }): Promise<{ count: number }> {
    for (const data of args.data) await this.create({ data });
    return { count: args.data.length };
  }

  update(args: { where: Where; data: MemoryRow }): Promise<MemoryRow> {
    const i = this.rows.findIndex((r) => matches(r, args.where));
    if (i < 0) throw new Error('memory store: no row to update');
    const row = { ...this.rows[i], ...stored(args.data) };
    this.rows[i] = row;
    return Promise.resolve({ ...row });
  }

  async updateMany(args: { where: Where; data: MemoryRow }): Promise<{ count: number }> {
    let count = 0;
    for (const [i, r] of this.rows.entries()) {
      if (!matches(r, args.where)) continue;
      this.rows[i] = { ...r, ...stored(args.data) };
      count++;
    }
    return Promise.resolve({ count });
  }

  deleteMany(args: { where?: Where } = {}): Promise<{ count: number }> {
    const before = this.rows.length;
    this.rows = this.rows.filter((r) => !matches(r, args.where));
    return Promise.resolve({ count: before - this.rows.length });
  }
}

/** The tables clearing's unit specs touch, with the defaults the schema gives new rows. */
export function memoryTables(now: () => Date) {
  return {
    grant: new MemoryTable(() => ({
      createdAt: now(),
      updatedAt: now(),
      historyFrom: null,
      historyRequested: null,
      fields: null,
    })),
    grantTransition: new MemoryTable(() => ({ id: randomUUID() })),
    clearingOutbox: new MemoryTable(() => ({ id: randomUUID(), createdAt: now() })),
    auditEntry: new MemoryTable(undefined, undefined, (r) =>
      decisionColumns(r.kind as string, r.allow as boolean | null, r.payload),
    ),
    auditPersonKey: new MemoryTable(() => ({ createdAt: now() })),
    deletionObligation: new MemoryTable(() => ({
      flaggedAt: null,
      confirmedAt: null,
      receipt: null,
      receiptClaims: null,
    })),
    usedAssertion: new MemoryTable(() => ({}), 'jti'),
  };
}

export type MemoryTables = ReturnType<typeof memoryTables>;

/**
 * The store as the services see it (typed as the Prisma client they inject). `queryRaw` answers
 * `$queryRaw` (SQL the store cannot run, e.g. an aggregate); default: no rows.
 */
export function memoryPrisma(
  tables: MemoryTables,
  queryRaw: (sql: string) => unknown[] = () => [],
): PrismaClient {
  const client = {
    ...tables,
    $executeRaw: () => Promise.resolve(0),
    $queryRaw: (strings: TemplateStringsArray) => Promise.resolve(queryRaw(strings.join('?'))),
    $transaction: async <T>(work: (tx: unknown) => Promise<T>): Promise<T> => {
      const saved = Object.values(tables).map((t): [MemoryTable, MemoryRow[]] => [t, [...t.rows]]);
      try {
        return await work(client);
      } catch (error) {
        for (const [table, rows] of saved) table.rows = rows;
        throw error;
      }
    },
  };
  return client as unknown as PrismaClient;
}
