import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const guards = fileURLToPath(
  new URL('../../libs/platform/dist/resilience/process-guards.js', import.meta.url),
);

describe('keepTrying at start', () => {
  // A service awaits some starts before anything else holds the event loop (clearing's signing-key ring
  // waits for the database). If the pause between attempts did not hold the loop, Node would end the
  // process with exit code 13 ("unsettled top-level await") after the first failure instead of retrying.
  it('keeps the process alive between attempts until the start succeeds', () => {
    const script = `
      import { keepTrying } from ${JSON.stringify(guards)};
      let attempts = 0;
      const log = { warn() {}, info() {} };
      await keepTrying('ring', async () => { if (++attempts < 3) throw new Error('database away'); }, log, { initialMs: 20 });
      console.log('started after ' + attempts);
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(run.stderr).not.toContain('unsettled top-level await');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('started after 3');
  });
});
