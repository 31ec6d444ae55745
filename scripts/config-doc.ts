/**
 * Writes the settings table of docs/operations.md ("Running in production") from the services' zod schemas
 * (apps/services.ts), read from the build (`npm run config:doc` builds first), and formats the page with
 * prettier. `--check` fails when the committed table differs; apps/services.spec.ts checks the same on
 * every test run.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { settingsTableIsCurrent, withSettingsTable } from '../apps/services.js';

const file = fileURLToPath(new URL('../../docs/operations.md', import.meta.url));
const page = readFileSync(file, 'utf8');
if (process.argv.includes('--check')) {
  if (!settingsTableIsCurrent(page)) {
    console.error('[config] the settings table in docs/operations.md is out of date: run npm run config:doc');
    process.exit(1);
  }
} else {
  writeFileSync(file, withSettingsTable(page));
  execFileSync(
    fileURLToPath(new URL('../../node_modules/.bin/prettier', import.meta.url)),
    ['--write', file],
    {
      stdio: 'ignore',
    },
  );
  console.log('[config] wrote the settings table in docs/operations.md');
}
