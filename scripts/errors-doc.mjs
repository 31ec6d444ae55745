/**
 * Writes docs/errors.md from the error-code catalogue (libs/domain/src/error-codes.ts), read from the built
 * library (`npm run errors:doc` builds first). `--check` fails when the committed page differs; the unit
 * spec libs/domain/src/error-codes.spec.ts checks the same on every test run.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderErrorsDoc } from '@renkei/domain';

const file = new URL('../docs/errors.md', import.meta.url);
const page = renderErrorsDoc();
if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    // missing counts as drift
  }
  if (committed !== page) {
    console.error('[errors] docs/errors.md is out of date: run npm run errors:doc');
    process.exit(1);
  }
} else {
  writeFileSync(file, page);
  console.log('[errors] wrote docs/errors.md');
}
