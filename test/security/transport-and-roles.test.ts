/**
 * Transport security and least privilege (ADR 0034), against the real services and PostgreSQL:
 * - every service and the console serve HTTPS only, with the local CA's certificate: plain HTTP gets no
 *   answer, and a client that does not trust the CA is refused;
 * - each service connects to PostgreSQL as its own role, over TLS;
 * - a service's role can use its own schema only: the other service's tables, the migrations' table and
 *   DDL are refused (permission denied), while tables a later migration adds are granted (default
 *   privileges);
 * - the server refuses a connection without TLS, and a client verifying against another CA refuses it.
 * The roles and TLS parts need the test server of scripts/postgres.sh (roles, TLS only); against an older
 * server they are skipped unless TEST_DATABASE_ROLES=1 (scripts/test-all.sh), which makes them required.
 */
import { request } from 'node:https';
import * as tls from 'node:tls';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, serviceDatabaseUrl, serviceRolesExist, SERVICE_ROLES } from '../support/database.js';
import { repoRoot, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { testTlsEnabled } from '../support/tls.js';

const adminUrl = process.env.TEST_DATABASE_URL!;
const rolesRequired = process.env.TEST_DATABASE_ROLES === '1';
const haveRoles = rolesRequired || (await serviceRolesExist(adminUrl));
const databaseTls = new URL(adminUrl).searchParams.get('sslmode') === 'verify-full';

async function withClient<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The SQLSTATE a statement fails with (or 'ok'). */
const outcome = (c: pg.Client, sql: string): Promise<string> =>
  c.query(sql).then(
    () => 'ok',
    (error: Error & { code?: string }) => error.code ?? error.message,
  );

describe.skipIf(!haveRoles)('each service its own database role', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    db = await freshDatabase(repoRoot, 'roles');
  });
  afterAll(() => db?.drop());

  it('the clearing role uses its own schema and is refused the registry schema (42501 permission denied)', async () => {
    await withClient(serviceDatabaseUrl(db.url, 'clearing'), async (c) => {
      expect(await outcome(c, 'SELECT count(*) FROM clearing.grants')).toBe('ok');
      expect(await outcome(c, 'SELECT count(*) FROM clearing.audit_log')).toBe('ok');
      expect(await outcome(c, 'SELECT count(*) FROM registry.participants')).toBe('42501');
      expect(await outcome(c, 'SELECT count(*) FROM registry.data_contracts')).toBe('42501');
      expect(await outcome(c, 'SELECT count(*) FROM public._prisma_migrations')).toBe('42501');
      // No DDL, even in its own schema: migrations are the owner's.
      expect(await outcome(c, 'CREATE TABLE clearing.mine (id int)')).toBe('42501');
      expect(await outcome(c, 'DROP TABLE clearing.grants')).toBe('42501');
    });
  });

  it('the registry role uses its own schema and is refused the clearing schema', async () => {
    await withClient(serviceDatabaseUrl(db.url, 'registry'), async (c) => {
      expect(await outcome(c, 'SELECT count(*) FROM registry.participants')).toBe('ok');
      expect(await outcome(c, 'SELECT count(*) FROM clearing.grants')).toBe('42501');
      expect(await outcome(c, 'SELECT count(*) FROM clearing.data_keys')).toBe('42501');
      expect(await outcome(c, 'SELECT count(*) FROM clearing.signing_keys')).toBe('42501');
    });
  });

  it('a table a later migration adds (as the owner) is granted to its schema role only', async () => {
    await withClient(db.url, (c) =>
      c.query('CREATE TABLE clearing.later_table (id bigserial PRIMARY KEY, note text)'),
    );
    await withClient(serviceDatabaseUrl(db.url, 'clearing'), async (c) => {
      expect(await outcome(c, "INSERT INTO clearing.later_table (note) VALUES ('x')")).toBe('ok');
      expect((await c.query('SELECT note FROM clearing.later_table')).rows).toEqual([{ note: 'x' }]);
    });
    await withClient(serviceDatabaseUrl(db.url, 'registry'), async (c) => {
      expect(await outcome(c, 'SELECT * FROM clearing.later_table')).toBe('42501');
    });
  });

  it.skipIf(!databaseTls)('the server refuses a connection without TLS', async () => {
    const plain = new URL(serviceDatabaseUrl(db.url, 'clearing'));
    plain.search = '?sslmode=disable';
    await expect(withClient(plain.toString(), (c) => c.query('SELECT 1'))).rejects.toThrow(/no encryption/);
  });

  it.skipIf(!databaseTls)('a client verifying the server against another CA refuses it', async () => {
    const other = new URL(db.url);
    // The system's public roots: the local CA is not among them.
    other.searchParams.set('sslrootcert', '/etc/ssl/certs/ca-certificates.crt');
    await expect(withClient(other.toString(), (c) => c.query('SELECT 1'))).rejects.toThrow(/certificate/);
  });
});

describe.skipIf(!testTlsEnabled())('the platform over TLS', () => {
  let env: TestPlatform;
  beforeAll(async () => {
    env = await startTestPlatform('transport', 4180, { console: true });
  });
  afterAll(() => env?.stop());

  const endpoints = (): [string, string][] =>
    Object.entries(env.platform.endpoints).filter((e): e is [string, string] => e[1] !== undefined);

  it('every service and the console answer over HTTPS only', async () => {
    expect(endpoints()).toHaveLength(5);
    for (const [name, url] of endpoints()) {
      expect(url, name).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${url}/health`)).status, name).toBe(200);
      const plain = url.replace(/^https:/, 'http:');
      await expect(
        fetch(`${plain}/health`, { signal: AbortSignal.timeout(5_000) }),
        `${name} over plain HTTP`,
      ).rejects.toThrow();
    }
  });

  it('a client that does not trust the local CA is refused', async () => {
    const roots = tls.getCACertificates('bundled');
    for (const [name, url] of endpoints()) {
      const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
        const req = request(`${url}/health`, { ca: roots }, (res) => {
          res.resume();
          resolve(undefined);
        });
        req.on('error', resolve);
        req.end();
      });
      expect(error?.code, name).toMatch(
        /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/,
      );
    }
  });

  it.skipIf(!haveRoles)('each service is connected to PostgreSQL as its own role', async () => {
    const database = new URL(env.databaseUrl).pathname.slice(1);
    const sessions = await withClient(adminUrl, async (c) => {
      // (pg_stat_ssl hides other roles' sessions from the owner; that they use TLS follows from the
      // server refusing any other, tested above.)
      const { rows } = await c.query<{ usename: string }>(
        'SELECT usename FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [database],
      );
      return rows;
    });
    const users = new Set(sessions.map((s) => s.usename));
    expect([...users].sort()).toEqual([SERVICE_ROLES.clearing, SERVICE_ROLES.registry]);
  });
});
