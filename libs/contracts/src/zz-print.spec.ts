import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { checkCompatibility, describeBreaks } from './compatibility.js';
it('prints', () => {
  const dir = join(import.meta.dirname, '../../../test/fixtures/compatibility/not-ok');
  for (const f of readdirSync(dir).sort()) {
    const fx = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const r = checkCompatibility(fx.mode, fx.history, fx.next);
    console.log(`== ${f}\n${r.map((b) => '  ' + b.message).join('\n')}\n  SUMMARY: ${describeBreaks(r)}`);
  }
});
