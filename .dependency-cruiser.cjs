// The architecture's boundaries, checked by `npm run lint` (ADR 0022). Paths are relative to the repository
// root; `$1` in a `to` refers to the first group of the rule's `from.path`.
const spec = '\\.(spec|test)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles between files: a cycle makes module load order (and Nest DI) fragile.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'libs-not-to-apps',
      severity: 'error',
      comment: 'Libraries are shared by the services; a library that imports an app would tie it to one.',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-not-to-other-apps',
      severity: 'error',
      comment: 'Services talk over Kafka and HTTP, never by importing each other; shared code goes to libs/.',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-not-to-test',
      severity: 'error',
      comment: 'Library code must not depend on test support or fixtures (its own specs may use fixtures).',
      from: { path: '^libs/', pathNot: spec },
      to: { path: '^test/' },
    },
    {
      name: 'lib-through-its-entry',
      severity: 'error',
      comment:
        'Code outside a library uses it only through its package entry (@renkei/<name>, i.e. src/index.ts); ' +
        'its other files are internals.',
      from: { path: '^(apps|bench|scripts|test)/' },
      to: { path: '^libs/', pathNot: '^libs/[^/]+/src/index\\.ts$' },
    },
    {
      name: 'lib-to-lib-through-its-entry',
      severity: 'error',
      comment: 'A library uses another library only through its package entry (@renkei/<name>).',
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/', pathNot: ['^libs/$1/', '^libs/[^/]+/src/index\\.ts$'] },
    },
    {
      name: 'lib-to-lib-by-package-name',
      severity: 'error',
      comment: 'A library imports another by its package name, not a relative path into the other folder.',
      from: { path: '^libs/([^/]+)/' },
      to: {
        path: '^libs/',
        pathNot: '^libs/$1/',
        dependencyTypes: ['local'],
        dependencyTypesNot: ['aliased'],
      },
    },
    {
      name: 'no-undeclared-dependency',
      severity: 'error',
      comment:
        "Every npm package a file imports is declared in the closest package.json (a library's own, else the " +
        "root's), so each workspace package names what it needs.",
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'no-dev-dependency-in-production-code',
      severity: 'error',
      comment: 'Production code may not import a devDependency: it is pruned from the image.',
      from: { path: '^(apps|libs)/', pathNot: spec },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'Every import resolves to a file (or a declared package).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    // test/fixtures/boundaries holds deliberate violations for test/unit/boundaries.spec.ts.
    exclude: {
      path: [
        '(^|/)dist/',
        '^libs/persistence/src/generated/',
        '^policies/build/',
        '^test/fixtures/boundaries/',
      ],
    },
    tsConfig: { fileName: 'tsconfig.json' },
    // Type-only imports count: a cycle or a forbidden edge through types is still a coupling.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      // `source` resolves @renkei/<name> (and the #libs/* alias) to the library's TypeScript entry.
      conditionNames: ['source', 'import', 'node', 'default'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
