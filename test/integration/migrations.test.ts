import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/database.js';

const root = new URL('../..', import.meta.url).pathname;

describe('Prisma migrations through the WebAssembly schema engine', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let client: pg.Client;

  beforeAll(async () => {
    db = await freshDatabase(root, 'migrations', process.env.TEST_DATABASE_URL, { fromTemplate: false });
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('applies every migration in prisma/migrations and records it as prisma migrate deploy does', async () => {
    const dirs = readdirSync(`${root}/prisma/migrations`, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    const { rows } = await client.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
    }>('SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name');
    expect(rows.map((r) => r.migration_name)).toEqual(dirs);
    for (const row of rows) {
      const sql = readFileSync(`${root}/prisma/migrations/${row.migration_name}/migration.sql`);
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).not.toBeNull();
    }
  });

  it('creates one PostgreSQL schema per service with its tables', async () => {
    const { rows } = await client.query<{ s: string; t: string }>(
      `SELECT table_schema AS s, table_name AS t FROM information_schema.tables WHERE table_schema IN ('registry', 'clearing') ORDER BY 1, 2`,
    );
    expect(rows.map((r) => `${r.s}.${r.t}`)).toEqual(
      expect.arrayContaining([
        'registry.participants',
        'registry.data_contracts',
        'registry.outbox',
        'clearing.grants',
        'clearing.audit_log',
        'clearing.used_assertions',
        'clearing.outbox',
      ]),
    );
  });

  it('is idempotent: a second deploy applies nothing', () => {
    const out = execFileSync(process.execPath, ['scripts/prisma-migrate.mjs', 'deploy'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: db.url },
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('No pending migrations.');
  });

  it('matches the Prisma schema: diffing the migrated database against schema.prisma finds nothing', () => {
    const out = execFileSync(
      process.execPath,
      ['scripts/prisma-migrate.mjs', 'create', 'should_be_empty', '--dry-run'],
      { cwd: root, env: { ...process.env, DATABASE_URL: db.url }, encoding: 'utf8' },
    );
    expect(out.trim()).toBe('No schema changes.');
  });
});
