import swc from 'unplugin-swc';
import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// swc compiles the tests (NestJS needs decorator metadata, which esbuild/oxc do not emit). The build's
// .swcrc excludes spec files, so it is not read here.
const swcPlugin = swc.vite({
  swcrc: false,
  tsconfigFile: false,
  jsc: {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
  },
});
// The `source` condition resolves @renkei/* (and the #libs/* alias) to the TypeScript sources (ADR 0022).
const conditions = ['source', ...defaultServerConditions];

export default defineConfig({
  plugins: [swcPlugin],
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['libs/**/*.spec.ts', 'apps/**/*.spec.ts', 'test/unit/**/*.spec.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          // Projects run one after another: the heavy ones each start services and must not share 2 cores.
          sequence: { groupOrder: 1 },
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/infra.global.ts'],
          setupFiles: ['test/support/quiet-kafkajs.ts', 'test/support/trust-test-ca.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/infra.global.ts'],
          setupFiles: ['test/support/quiet-kafkajs.ts', 'test/support/trust-test-ca.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'security',
          sequence: { groupOrder: 3 },
          include: ['test/security/**/*.test.ts'],
          globalSetup: ['test/support/infra.global.ts'],
          setupFiles: ['test/support/quiet-kafkajs.ts', 'test/support/trust-test-ca.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          // The console in Debian's Chromium (playwright-core) against the real services.
          sequence: { groupOrder: 5 },
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/support/infra.global.ts'],
          setupFiles: ['test/support/quiet-kafkajs.ts', 'test/support/trust-test-ca.ts'],
          testTimeout: 90_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'reliability',
          sequence: { groupOrder: 4 },
          include: ['test/reliability/**/*.test.ts'],
          globalSetup: ['test/support/infra.global.ts', 'test/support/reliability.global.ts'],
          setupFiles: ['test/support/quiet-kafkajs.ts', 'test/support/trust-test-ca.ts'],
          testTimeout: 240_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
