import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/** API answers are JSON, never rendered: nothing may load, frame or submit anything from them. */
const apiPolicy = {
  defaultSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
  upgradeInsecureRequests: null,
};

/**
 * The Swagger UI at /docs: its scripts and stylesheet come from the service itself, the page carries one
 * inline <style> block and data: icons. No upgrade-insecure-requests: the services run on plain HTTP
 * behind TLS termination, and upgrading would break the page's own subresources there.
 */
const docsPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Security headers on every response (@fastify/helmet): nosniff, no framing, no referrer, HSTS, a CSP
 * that forbids everything for API answers and lets /docs work. And `Cache-Control: no-store` unless a
 * route says otherwise: answers carry tokens, keys, audit records and members' data, none of which a
 * browser or proxy cache may keep. Routes that may be cached (the JWKS) set their own header.
 */
export async function installSecurityHeaders(fastify: FastifyInstance): Promise<void> {
  await fastify.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: apiPolicy },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    if (request.url === '/docs' || request.url.startsWith('/docs/') || request.url.startsWith('/docs?')) {
      reply.header('content-security-policy', docsPolicy);
    }
    done(null, payload);
  });
}
