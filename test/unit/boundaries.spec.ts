import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { cruise, type IConfiguration, type IViolation } from 'dependency-cruiser';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The boundaries `npm run lint` enforces (ADR 0022) must fail on a forbidden import, not just pass on a
 * clean tree: each rule is broken once in test/fixtures/boundaries and must be reported there, exactly.
 */
const root = join(import.meta.dirname, '../..');
const fixtures = join(root, 'test/fixtures/boundaries');
const config = createRequire(import.meta.url)(join(root, '.dependency-cruiser.cjs')) as IConfiguration;

describe('dependency-cruiser boundaries', () => {
  it('reports every forbidden import in the fixture tree, and nothing else', async () => {
    const { output } = await cruise(['apps', 'libs', 'test'], {
      baseDir: join(fixtures, 'depcruise'),
      ruleSet: { forbidden: config.forbidden ?? [] },
      validate: true,
      tsPreCompilationDeps: true,
    });
    if (typeof output === 'string') throw new Error('expected a cruise result');
    const found = output.summary.violations.map((v: IViolation) =>
      [v.rule.name, v.from, v.to, ...(v.cycle ?? []).map((c) => c.name)].join(' '),
    );
    expect(found.sort()).toEqual(
      [
        'apps-not-to-other-apps apps/one/src/main.ts apps/two/src/main.ts',
        'lib-through-its-entry apps/two/src/main.ts libs/alpha/src/internal.ts',
        'libs-not-to-apps libs/beta/src/app-user.ts apps/one/src/main.ts',
        'libs-not-to-test libs/beta/src/test-user.ts test/support/helper.ts',
        'lib-to-lib-through-its-entry libs/beta/src/index.ts libs/alpha/src/internal.ts',
        'lib-to-lib-by-package-name libs/beta/src/index.ts libs/alpha/src/index.ts',
        'lib-to-lib-by-package-name libs/beta/src/index.ts libs/alpha/src/internal.ts',
        'no-circular apps/two/src/ping.ts apps/two/src/pong.ts apps/two/src/pong.ts apps/two/src/ping.ts',
      ].sort(),
    );
    expect(output.summary.error).toBe(found.length);
  });
});

describe('renkei/service-tables', () => {
  it("flags a service's Prisma accessors and raw SQL on another service's schema", async () => {
    const eslint = new ESLint({
      cwd: root,
      ignore: false,
      overrideConfig: {
        files: ['test/fixtures/boundaries/service-tables/**/*.ts'],
        rules: {
          'renkei/service-tables': ['error', { owners: { registry: ['registry'], clearing: ['clearing'] } }],
        },
      },
    });
    const results = await eslint.lintFiles(['test/fixtures/boundaries/service-tables']);
    const found = results.flatMap((r) => {
      const lines = readFileSync(r.filePath, 'utf8').split('\n');
      const file = relative(join(fixtures, 'service-tables'), r.filePath);
      return r.messages.map((m) => `${m.ruleId} ${file}: ${lines[m.line - 1]?.trim()}`);
    });
    expect(found.sort()).toEqual(
      [
        'renkei/service-tables apps/clearing/src/reads-registry.ts: await prisma.participant.findMany(),',
        'renkei/service-tables apps/clearing/src/reads-registry.ts: await tx.dataContract.count(),',
        'renkei/service-tables apps/clearing/src/reads-registry.ts: await prisma.$queryRaw`SELECT count(*) FROM registry.participants`,',
        'renkei/service-tables apps/clearing/src/reads-registry.ts: const { participant, grant } = prisma;',
        'renkei/service-tables apps/exchange/src/any-table.ts: return prisma.grant.count();',
      ].sort(),
    );
  }, 60_000);
});

describe('workspace manifests', () => {
  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;
  const versions = { ...rootManifest.devDependencies, ...rootManifest.dependencies };
  const libs = readdirSync(join(root, 'libs'));

  it.each(libs)('libs/%s is the package @renkei/%s and names the @renkei libraries it imports', (lib) => {
    const manifest = JSON.parse(readFileSync(join(root, 'libs', lib, 'package.json'), 'utf8')) as Manifest;
    expect(manifest.name).toBe(`@renkei/${lib}`);
    expect(manifest.exports).toEqual({ '.': { source: './src/index.ts', default: './dist/index.js' } });
    const declared = Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith('@renkei/'));
    expect(declared.sort()).toEqual([...renkeiImports(join(root, 'libs', lib, 'src'))].sort());
  });

  it.each(libs)('libs/%s asks for the same version of each package as the root', (lib) => {
    const manifest = JSON.parse(readFileSync(join(root, 'libs', lib, 'package.json'), 'utf8')) as Manifest;
    for (const [name, version] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) {
      expect({ name, version }).toEqual({
        name,
        version: name.startsWith('@renkei/') ? '0.1.0' : versions[name],
      });
    }
  });
});

interface Manifest {
  name: string;
  exports?: unknown;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** The @renkei packages a library's production code imports (the `#libs/<name>` alias included). */
function renkeiImports(dir: string): Set<string> {
  const names = new Set<string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || /\.(spec|test)\.ts$/.test(entry.name)) continue;
    if (entry.parentPath.includes('/generated')) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    for (const [, name] of text.matchAll(/from '(?:#libs|@renkei)\/([a-z-]+)'/g))
      names.add(`@renkei/${name}`);
  }
  return names;
}
