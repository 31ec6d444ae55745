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
  return `renkei_template_${hash.digest('hex').slice(0, 12)}`;
}

/** Migrates a template database once per migration set (Prisma's engine takes seconds to load). */
export async function ensureTemplate(root: string, adminUrl: string): Promise<string> {
  const name = templateName(root);
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
