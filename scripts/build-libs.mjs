#!/usr/bin/env node
// Compiles each workspace library (libs/<name>/src) into its own libs/<name>/dist, the target of the
// `default` condition in its package.json `exports` (Node refuses export targets outside the package, so
// the build output has to live inside it). Type checking is tsc's job; swc only strips types. See ADR 0022.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const swc = join(root, 'node_modules/.bin/swc');
const libs = readdirSync(join(root, 'libs')).filter((name) =>
  existsSync(join(root, 'libs', name, 'package.json')),
);

const compile = (name) =>
  new Promise((resolve, reject) => {
    const dir = join(root, 'libs', name);
    // A stale module left from a deleted source would otherwise still resolve at run time.
    rmSync(join(dir, 'dist'), { recursive: true, force: true });
    const args = [
      'src',
      '-d',
      'dist',
      '--strip-leading-paths',
      '--config-file',
      join(root, '.swcrc'),
      '--quiet',
    ];
    const child = spawn(swc, args, { cwd: dir, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`swc failed for libs/${name} (${code})`)),
    );
  });

await Promise.all(libs.map(compile));
