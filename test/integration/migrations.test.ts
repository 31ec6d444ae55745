import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Deploys the migrations up to and including `last` (a copy of prisma/ holding only those) to `url`. */
function migrateUpTo(url: string, last: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'renkei-migrations-'));
  try {
    mkdirSync(join(dir, 'prisma/migrations'), { recursive: true });
    cpSync(join(root, 'prisma/schema.prisma'), join(dir, 'prisma/schema.prisma'));
    // The deploy step ends by granting each service's role its schema (ADR 0034).
    cpSync(join(root, 'prisma/service-roles.sql'), join(dir, 'prisma/service-roles.sql'));
    cpSync(
      join(root, 'prisma/migrations/migration_lock.toml'),
      join(dir, 'prisma/migrations/migration_lock.toml'),
    );
    for (const d of readdirSync(join(root, 'prisma/migrations'), { withFileTypes: true })) {
      if (d.isDirectory() && d.name <= last) {
        cpSync(join(root, 'prisma/migrations', d.name), join(dir, 'prisma/migrations', d.name), {
          recursive: true,
        });
      }
    }
    execFileSync(process.execPath, [join(root, 'scripts/prisma-migrate.mjs'), 'deploy'], {
      cwd: dir,
      env: { ...process.env, DATABASE_URL: url },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the contract lifecycle migration on a database with contracts in it', () => {
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `renkei_migration_data_${randomBytes(4).toString('hex')}`;
  const url = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(sql).finally(() => c.end());
  };
  let client: pg.Client;

  beforeAll(async () => {
    await admin(`CREATE DATABASE "${name}"`);
    migrateUpTo(url, '20261121050600_made_audit_log_append_only');
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  it('gives existing contracts a dataset, a current version, their tags and no invitations', async () => {
    const owner = randomUUID();
    await client.query(
      `INSERT INTO registry.participants (id, legal_name, industry, country, roles, status, jwks, updated_at)
       VALUES ($1, 'Kansai Cell Works K.K.', 'battery', 'JP', '{originator}', 'active', '{"keys":[]}', now())`,
      [owner],
    );
    const insert = (version: string, fields: unknown, createdAt: string) =>
      client.query(
        `INSERT INTO registry.data_contracts
           (id, dataset, version, owner_id, status, title, domain, purposes, sensitivity, fields, schema, created_at)
         VALUES ($1, 'battery.cfp', $2, $3, 'active', 'Battery CFP', 'supply-chain', '{cfp-disclosure}',
                 'confidential', $4, '{"type":"object"}', $5)`,
        [randomUUID(), version, owner, JSON.stringify(fields), createdAt],
      );
    await insert('1.0.0', {}, '2026-01-01T00:00:00Z');
    await insert(
      '1.1.0',
      {
        unitPriceJpy: { tags: ['competitive'] },
        cfpKgCo2ePerKwh: { tags: ['cooperative', 'competitive'], description: 'kg CO2e per kWh' },
        lotId: { tags: [] },
      },
      '2026-02-01T00:00:00Z',
    );

    execFileSync(process.execPath, ['scripts/prisma-migrate.mjs', 'deploy'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url },
      stdio: ['ignore', 'ignore', 'inherit'],
    });

    const datasets = await client.query<{ id: string; owner_id: string; compatibility: string }>(
      'SELECT id, owner_id, compatibility FROM registry.datasets',
    );
    expect(datasets.rows).toEqual([{ id: 'battery.cfp', owner_id: owner, compatibility: 'BACKWARD' }]);
    const contracts = await client.query<{
      version: string;
      current: boolean;
      tags: string[];
      invited: string[];
      compatibility: string;
      visibility: string;
    }>(
      `SELECT version, current, tags, invited, compatibility, visibility
       FROM registry.data_contracts ORDER BY version`,
    );
    expect(contracts.rows).toEqual([
      {
        version: '1.0.0',
        current: false,
        tags: [],
        invited: [],
        compatibility: 'BACKWARD',
        visibility: 'consortium',
      },
      {
        version: '1.1.0',
        current: true,
        tags: ['competitive', 'cooperative'],
        invited: [],
        compatibility: 'BACKWARD',
        visibility: 'consortium',
      },
    ]);
    const notNull = await client.query<{ column_name: string; is_nullable: string }>(
      `SELECT column_name, is_nullable FROM information_schema.columns
       WHERE table_schema = 'registry' AND table_name = 'data_contracts' AND column_name IN ('invited', 'tags')
       ORDER BY column_name`,
    );
    expect(notNull.rows).toEqual([
      { column_name: 'invited', is_nullable: 'NO' },
      { column_name: 'tags', is_nullable: 'NO' },
    ]);
  });
});

describe('the consent-provisions migration on a database with persons’ consents in it', () => {
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `renkei_migration_consents_${randomBytes(4).toString('hex')}`;
  const url = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(sql).finally(() => c.end());
  };
  let client: pg.Client;

  beforeAll(async () => {
    await admin(`CREATE DATABASE "${name}"`);
    migrateUpTo(url, '20261121080500_made_audit_checkpoints_append_only');
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  it('keeps each consent under its own key and never leaves a misread permit in force', async () => {
    const hosp = randomUUID();
    const insert = (
      ref: string,
      dataset: string,
      decision: string,
      purposes: string[],
      fhirId: string | null,
      source: unknown,
    ) =>
      client.query(
        `INSERT INTO clearing.person_consents
           (id, originator_id, subject_ref, dataset, decision, purposes, fhir_id, source, recorded_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), now())`,
        [randomUUID(), hosp, ref, dataset, decision, purposes, fhirId, JSON.stringify(source)],
      );
    // Read the old way, "permit + a treatment provision" meant "permit for treatment"; R5 says "except".
    await insert('pt-1', 'health.admissions', 'permit', ['treatment'], 'c-1', { resourceType: 'Consent' });
    await insert('pt-2', 'health.admissions', 'permit', [], 'c-2', { resourceType: 'Consent' });
    await insert('pt-3', '*', 'deny', [], null, { recordedBy: 'renkei', kind: 'opt-out' });
    await insert('pt-4', 'health.admissions', 'deny', ['health-research'], 'c-4', {
      resourceType: 'Consent',
    });

    execFileSync(process.execPath, ['scripts/prisma-migrate.mjs', 'deploy'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url },
      stdio: ['ignore', 'ignore', 'inherit'],
    });

    const { rows } = await client.query<{
      subject_ref: string;
      consent_key: string;
      decision: string;
      provisions: unknown;
    }>(
      'SELECT subject_ref, consent_key, decision, provisions FROM clearing.person_consents ORDER BY subject_ref',
    );
    const marked = await client.query<{ m: string }>(
      `SELECT source->>'migratedFromDataset' AS m FROM clearing.person_consents ORDER BY subject_ref`,
    );
    expect(marked.rows.map((r) => r.m)).toEqual([
      'health.admissions',
      'health.admissions',
      '*',
      'health.admissions',
    ]);
    expect(rows).toEqual([
      { subject_ref: 'pt-1', consent_key: 'fhir:c-1', decision: 'deny', provisions: [] },
      { subject_ref: 'pt-2', consent_key: 'fhir:c-2', decision: 'permit', provisions: [] },
      { subject_ref: 'pt-3', consent_key: 'renkei:opt-out:*', decision: 'deny', provisions: [] },
      { subject_ref: 'pt-4', consent_key: 'fhir:c-4', decision: 'deny', provisions: [] },
    ]);
  });
});
