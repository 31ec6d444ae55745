#!/usr/bin/env node
// One-off migration to the workspace packages of ADR 0022, run once after the branches that still wrote
// `#libs/<name>` are merged:
//   1. every `#libs/<name>` specifier in the tracked sources becomes `@renkei/<name>`;
//   2. every path into the old build layout, `dist/libs/<name>/src/<file>.js`, becomes
//      `libs/<name>/dist/<file>.js` (each library now builds into its own package);
//   3. each library's package.json names exactly the @renkei libraries its production code imports;
//   4. the transitional `#libs/*` alias is removed from the root and library package.json files, so a
//      leftover `#libs/` import fails to resolve instead of lingering;
//   5. prettier formats the files it changed (a specifier is two characters longer).
// `--check` only lists what it would change and exits 1 if anything would.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const self = 'scripts/rewrite-lib-imports.mjs';

const tracked = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => f && f !== self && !f.startsWith('docs/decisions/') && f !== 'package-lock.json');
const code = /\.(ts|mts|cts|js|mjs|cjs)$/;
const text = /(\.(ts|mts|cts|js|mjs|cjs|json|md|sh|ya?ml)|Dockerfile)$/;

const changed = [];
const update = (file, next, before) => {
  if (next === before) return;
  changed.push(file);
  if (!check) writeFileSync(join(root, file), next);
};

for (const file of tracked.filter((f) => text.test(f))) {
  let content;
  try {
    content = readFileSync(join(root, file), 'utf8');
  } catch {
    continue; // deleted in the work tree
  }
  let next = content.replace(/dist\/libs\/([a-z0-9-]+)\/src\/([\w./-]+?)\.js/g, 'libs/$1/dist/$2.js');
  if (code.test(file)) next = next.replace(/(['"`])#libs\/([a-z0-9-]+)\1/g, '$1@renkei/$2$1');
  update(file, next, content);
}

const readJson = (file) => JSON.parse(readFileSync(join(root, file), 'utf8'));
const writeJson = (file, value, before) => update(file, JSON.stringify(value, null, 2) + '\n', before);
const libs = tracked.filter((f) => /^libs\/[^/]+\/package\.json$/.test(f)).map((f) => f.split('/')[1]);

for (const lib of libs) {
  const file = `libs/${lib}/package.json`;
  const before = readFileSync(join(root, file), 'utf8');
  const manifest = JSON.parse(before);
  const used = new Set();
  for (const source of tracked.filter((f) => f.startsWith(`libs/${lib}/src/`) && code.test(f))) {
    if (/\.(spec|test)\.ts$/.test(source) || source.includes('/generated/')) continue;
    let content;
    try {
      content = readFileSync(join(root, source), 'utf8');
    } catch {
      continue;
    }
    for (const [, name] of content.matchAll(/['"](?:#libs|@renkei)\/([a-z0-9-]+)['"]/g))
      if (name !== lib) used.add(`@renkei/${name}`);
  }
  const deps = { ...manifest.dependencies };
  for (const name of Object.keys(deps)) if (name.startsWith('@renkei/') && !used.has(name)) delete deps[name];
  for (const name of used) deps[name] ??= manifest.version;
  manifest.dependencies = Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)));
  if (Object.keys(manifest.dependencies).length === 0) delete manifest.dependencies;
  if (manifest.imports) {
    delete manifest.imports['#libs/*'];
    if (Object.keys(manifest.imports).length === 0) delete manifest.imports;
  }
  writeJson(file, manifest, before);
}

const rootBefore = readFileSync(join(root, 'package.json'), 'utf8');
const rootManifest = readJson('package.json');
if (rootManifest.imports) {
  delete rootManifest.imports['#libs/*'];
  if (Object.keys(rootManifest.imports).length === 0) delete rootManifest.imports;
}
writeJson('package.json', rootManifest, rootBefore);

if (check) {
  for (const file of changed) console.log(`would change ${file}`);
  process.exit(changed.length > 0 ? 1 : 0);
}
if (changed.length > 0)
  execFileSync(join(root, 'node_modules/.bin/prettier'), ['--write', '--log-level', 'warn', ...changed], {
    cwd: root,
    stdio: 'inherit',
  });
console.log(`rewrote ${changed.length} files`);
