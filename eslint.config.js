// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import serviceTables from './eslint-rules/service-tables.js';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'libs/*/dist/**',
      'node_modules/**',
      '.renkei/**',
      'libs/persistence/src/generated/**',
      'libs/sdk/src/generated/**',
      'coverage/**',
      'policies/build/**',
      // Deliberate violations, linted by test/unit/boundaries.spec.ts.
      'test/fixtures/boundaries/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `x != null` is the one idiom that deliberately covers both null and undefined.
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // kafkajs hands out bound closures in its payloads (resolveOffset, heartbeat…); destructuring them is safe.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Which PostgreSQL schema each service owns (prisma/schema.prisma, ADR 0022); exchange and cps-sim own none.
    plugins: { renkei: { rules: { 'service-tables': serviceTables } } },
  },
  {
    files: ['apps/**/*.ts'],
    rules: {
      'renkei/service-tables': ['error', { owners: { registry: ['registry'], clearing: ['clearing'] } }],
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      // expect.any()/expect.objectContaining() are typed `any` by design.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false, program: null },
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        WebAssembly: 'readonly',
        module: 'writable',
      },
    },
  },
);
