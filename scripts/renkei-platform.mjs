#!/usr/bin/env node
// The `renkei-platform` command (npm start): the launcher in scripts/platform.ts, from the build.
import { existsSync } from 'node:fs';

const launcher = new URL('../dist/scripts/platform.js', import.meta.url);
if (!existsSync(launcher)) {
  process.stderr.write('renkei-platform: no build (dist/scripts/platform.js): run npm run build\n');
  process.exit(2);
}
await import(launcher.href);
