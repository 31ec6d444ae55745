import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(adminUrl: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function migrate(root: string, url: string): void {
  execFileSync(process.execPath, ['scripts/prisma-migrate.mjs', 'deploy'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** The template's name changes whenever a migration does, so a stale template is never used. */
export function templateName(root: string): string {
  const hash = createHash('sha256');
  const dir = join(root, 'prisma/migrations');
  for (const d of readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()) {
    hash.update(d).update(readFileSync(join(dir, d, 'migration.sql')));
  }
  // The grants to the services' roles are part of the template too.
  hash.update(readFileSync(join(root, 'prisma/service-roles.sql')));
  return `renkei_template_${hash.digest('hex').slice(0, 12)}`;
}

/** The services with a schema of their own, and so a database role of their own (ADR 0034). */
export const SERVICE_ROLES = { registry: 'renkei_registry', clearing: 'renkei_clearing' } as const;
export type DatabaseService = keyof typeof SERVICE_ROLES;

const rolesPresent = new Map<string, Promise<boolean>>();
/** Whether the server has the services' roles (scripts/postgres.sh makes them); asked once per server. */
export function serviceRolesExist(adminUrl: string): Promise<boolean> {
  const server = new URL(adminUrl).host;
  let known = rolesPresent.get(server);
  if (!known) {
    known = admin(adminUrl, async (c) => {
      const { rows } = await c.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_roles WHERE rolname = ANY($1)',
        [Object.values(SERVICE_ROLES)],
      );
      return rows[0]!.n === Object.keys(SERVICE_ROLES).length;
    });
    rolesPresent.set(server, known);
  }
  return known;
}

/**
 * The URL of `url`'s database as a service's own role: the owner's URL with the role's name and the test
 * servers' password convention (scripts/postgres.sh: <owner's password>-<service>). Query (TLS) kept.
 */
export function serviceDatabaseUrl(url: string, service: DatabaseService): string {
  const u = new URL(url);
  u.username = SERVICE_ROLES[service];
  u.password = `${decodeURIComponent(u.password)}-${service}`;
  return u.toString();
}

/**
 * The services' own database URLs for a test platform, when the server has their roles. Without them the
 * services use the owner's URL (a server set up before ADR 0034), unless TEST_DATABASE_ROLES=1 asks for the
 * roles (scripts/test-all.sh): then their absence fails the run.
 */
export async function serviceDatabaseUrls(
  url: string,
): Promise<Partial<Record<DatabaseService, string>> | undefined> {
  if (process.env.TEST_DATABASE_ROLES === '0') return undefined;
  if (!(await serviceRolesExist(url))) {
    if (process.env.TEST_DATABASE_ROLES === '1')
      throw new Error(
        `TEST_DATABASE_ROLES=1 but the server of ${new URL(url).host} lacks ${Object.values(SERVICE_ROLES).join(', ')}: run scripts/postgres.sh start`,
      );
    return undefined;
  }
  return { registry: serviceDatabaseUrl(url, 'registry'), clearing: serviceDatabaseUrl(url, 'clearing') };
}

/** Migrates a template database once per migration set (Prisma's engine takes seconds to load). */
export async function ensureTemplate(root: string, adminUrl: string): Promise<string> {
  // The grants to the services' roles are made only where the roles exist: a template of each kind.
  const name = `${templateName(root)}${(await serviceRolesExist(adminUrl)) ? '' : '_noroles'}`;
  const exists = await admin(
    adminUrl,
    async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1,
  );
  if (!exists) {
    const building = `${name}_building_${randomBytes(3).toString('hex')}`;
    await admin(adminUrl, (c) => c.query(`CREATE DATABASE "${building}"`));
    migrate(root, withDatabase(adminUrl, building));
    await admin(adminUrl, (c) => c.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`)).catch(() =>
      admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${building}"`)),
    );
  }
  return name;
}

/**
 * A fresh database on the test server: a copy of the migrated template, or (`migrated: false`) an empty
 * one that the caller migrates itself.
 */
export async function freshDatabase(
  root: string,
  label: string,
  adminUrl: string = process.env.TEST_DATABASE_URL!,
  options: { fromTemplate?: boolean } = {},
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `renkei_${label}_${randomBytes(4).toString('hex')}`;
  if (options.fromTemplate === false) {
    await admin(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
    migrate(root, withDatabase(adminUrl, name));
  } else {
    const template = await ensureTemplate(root, adminUrl);
    // PostgreSQL refuses to copy a template that another session is copying at the same moment.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin(adminUrl, (c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
        break;
      } catch (error) {
        if (attempt >= 40 || !/being accessed by other users/.test(String(error))) throw error;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  }
  return {
    url: withDatabase(adminUrl, name),
    // Cleanup only: a backend the test role may not terminate (an autovacuum worker that has just started on
    // the database) makes FORCE fail for a moment, so it is retried, and a database left behind is harmless.
    drop: async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
          return;
        } catch (error) {
          if (attempt >= 20) {
            console.warn(`test database ${name} left behind: ${String(error)}`);
            return;
          }
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    },
  };
}
