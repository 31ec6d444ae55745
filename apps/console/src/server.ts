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
import { httpsOptions, servedScheme, tlsIssues, trustCaFile, type TlsSettings } from '@renkei/platform';

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

function env(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (!value) {
    console.error(`console: ${name} is not set (the URL of that service's public API)`);
    process.exit(2);
  }
  return value;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const tls: Partial<TlsSettings> = {
    TLS_CERT_FILE: process.env.TLS_CERT_FILE || undefined,
    TLS_KEY_FILE: process.env.TLS_KEY_FILE || undefined,
    TLS_CA_FILE: process.env.TLS_CA_FILE || undefined,
  };
  const tlsProblems = tlsIssues(tls);
  if (tlsProblems.length > 0) {
    console.error(
      `console: invalid configuration:\n${tlsProblems.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
    );
    process.exit(2);
  }
  const root = new URL('../../../console', import.meta.url).pathname; // dist/apps/console/src -> dist/console
  const app = await buildConsole({
    port: Number(env('PORT', '3000')),
    root: process.env.CONSOLE_ROOT ?? root,
    upstreams: {
      registry: env('REGISTRY_URL'),
      clearing: env('CLEARING_URL'),
      exchange: env('EXCHANGE_URL'),
      'cps-sim': env('CPS_SIM_URL'),
    },
    logLevel: process.env.LOG_LEVEL,
    tls,
  });
  const port = Number(env('PORT', '3000'));
  await app.listen({ port, host: process.env.HOST ?? '127.0.0.1' });
  console.log(`console listening on ${servedScheme(tls)}://127.0.0.1:${port}`);
  const close = () => void app.close().then(() => process.exit(0));
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
}
