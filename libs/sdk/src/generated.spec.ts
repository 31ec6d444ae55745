import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../../..', import.meta.url).pathname;
const generated = join(root, 'libs/sdk/src/generated');
const check = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'scripts/sdk-types.mjs'), '--check', ...args], {
    cwd: root,
    encoding: 'utf8',
  });

describe('SDK types generated from docs/api', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'sdk-types-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('are up to date with the committed OpenAPI documents (else: npm run sdk:types)', () => {
    const result = check();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('fails the check when a generated file is stale', () => {
    cpSync(generated, scratch, { recursive: true });
    const file = join(scratch, 'clearing.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace('historyFrom', 'historyFromOld'));
    const result = check('--out', scratch);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('clearing.ts is out of date');
  });
});
