import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The console's build: a static single-page app in dist/console, served by apps/console/src/server.ts.
 * `source` resolves @renkei/* to their TypeScript sources (browser-safe parts only, e.g. the corporate
 * number check of @renkei/domain). In development, `vite` proxies /api/* like the server does.
 */
const upstream = (name: string, fallback: string) => process.env[name] ?? fallback;

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
  build: {
    outDir: fileURLToPath(new URL('../../../dist/console', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 900,
  },
  server: {
    proxy: {
      '/api/registry': {
        target: upstream('REGISTRY_URL', 'http://127.0.0.1:3001'),
        rewrite: (p) => p.slice(13),
      },
      '/api/clearing': {
        target: upstream('CLEARING_URL', 'http://127.0.0.1:3002'),
        rewrite: (p) => p.slice(13),
      },
      '/api/exchange': {
        target: upstream('EXCHANGE_URL', 'http://127.0.0.1:3003'),
        rewrite: (p) => p.slice(13),
      },
      '/api/cps-sim': {
        target: upstream('CPS_SIM_URL', 'http://127.0.0.1:3004'),
        rewrite: (p) => p.slice(12),
      },
    },
  },
});
