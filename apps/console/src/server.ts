/**
 * The console's server: serves the built single-page app (dist/console) and forwards /api/<service>/* to the
 * services' public APIs, so the browser talks to one origin. It holds no secrets, signs nothing and adds no
 * endpoint of its own beyond /health: every call the console makes is a public API call carrying the
 * signed-in participant's own token.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyProxy from '@fastify/http-proxy';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  loadServiceConfig,
  servedScheme,
  trustCaFile,
  httpsOptions,
  type ShutdownSettings,
  type TlsSettings,
} from '@renkei/platform';
import { consoleConfigSchema, type ConsoleConfig } from './console.config.js';

export interface ConsoleOptions {
  port: number;
  host?: string;
  /** The built app (vite build output). */
  root: string;
  upstreams: { registry: string; clearing: string; exchange: string; 'cps-sim': string };
  logLevel?: string;
  /** HTTPS (TLS_CERT_FILE, TLS_KEY_FILE) and the CA the forwarding to the services trusts (TLS_CA_FILE). */
  tls?: Partial<TlsSettings>;
}

/** Content-Security-Policy: scripts from this origin only; Mantine sets inline styles. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export async function buildConsole(options: ConsoleOptions): Promise<FastifyInstance> {
  if (!existsSync(join(options.root, 'index.html')))
    throw new Error(`No console build in ${options.root}: run npm run build`);
  trustCaFile(options.tls?.TLS_CA_FILE);
  const https = httpsOptions(options.tls ?? {});
  const app = https
    ? (Fastify({ logger: { level: options.logLevel ?? 'warn' }, https }) as unknown as FastifyInstance)
    : Fastify({ logger: { level: options.logLevel ?? 'warn' } });
  app.addHook('onSend', async (request, reply) => {
    if (!request.url.startsWith('/api/')) {
      reply.header('content-security-policy', CSP);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('x-frame-options', 'DENY');
    }
  });
  for (const [name, upstream] of Object.entries(options.upstreams)) {
    await app.register(fastifyProxy, {
      upstream,
      prefix: `/api/${name}`,
      rewritePrefix: '',
      // Streams (NDJSON deliveries, server-sent events) pass through unbuffered and without a deadline:
      // reply-from turns a request timeout of 0 into 10 s for anything but server-sent events, which would
      // cut a quiet delivery stream (heartbeats come every 15 s).
      http: { requestOptions: { timeout: 0 } },
      replyOptions: { timeout: 0 },
    });
  }
  app.get('/health', () => ({ status: 'ok' }));
  await app.register(fastifyStatic, {
    root: options.root,
    wildcard: false,
    maxAge: '1h',
    setHeaders: (reply, path) => {
      // index.html must never be cached (it names the current bundle); hashed assets may be, for long.
      if (path.endsWith('index.html')) void reply.header('cache-control', 'no-cache');
      else if (path.includes('/assets/'))
        void reply.header('cache-control', 'public, max-age=31536000, immutable');
    },
  });
  // Client-side routes: any other GET that is not an API call is the app.
  app.setNotFoundHandler((request, reply) => {
    if (request.method === 'GET' && !request.url.startsWith('/api/')) return reply.sendFile('index.html');
    return reply
      .code(404)
      .type('application/problem+json')
      .send({
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        code: 'HTTP.NOT_FOUND',
        detail: `No route ${request.method} ${request.url.split('?')[0]}`,
      });
  });
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let config: ConsoleConfig;
  let shutdown: ShutdownSettings;
  try {
    ({ config, shutdown } = loadServiceConfig({ config: consoleConfigSchema }));
  } catch (error) {
    process.stderr.write(`console: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const root = new URL('../../../console', import.meta.url).pathname; // dist/apps/console/src -> dist/console
  const app = await buildConsole({
    port: config.PORT,
    root: config.CONSOLE_ROOT ?? root,
    upstreams: {
      registry: config.REGISTRY_URL,
      clearing: config.CLEARING_URL,
      exchange: config.EXCHANGE_URL,
      'cps-sim': config.CPS_SIM_URL,
    },
    logLevel: config.LOG_LEVEL,
    tls: config,
  });
  await app.listen({ port: config.PORT, host: config.HOST });
  console.log(`console listening on ${servedScheme(config)}://${config.HOST}:${config.PORT}`);
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    // Proxied streams would hold the close: past the deadline the process goes anyway (status 1).
    setTimeout(() => process.exit(1), shutdown.SHUTDOWN_TIMEOUT_MS).unref();
    void new Promise((resolve) => setTimeout(resolve, shutdown.SHUTDOWN_DRAIN_MS))
      .then(() => app.close())
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', close);
  process.on('SIGINT', close);
}
