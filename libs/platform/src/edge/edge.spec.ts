/**
 * The edge's hooks on a real listening server built by createHttpApp, driven by real HTTP clients (fetch,
 * and raw sockets where a client must misbehave: slow bodies, bodies over the limit, huge URLs).
 */
import {
  Body,
  Controller,
  Get,
  Header,
  Injectable,
  Module,
  Param,
  Post,
  Res,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { connect } from 'node:net';
import { request as httpRequest } from 'node:http';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../bootstrap.js';
import { edgeConfigSchema } from './edge.config.js';
import { keepStreamOpen } from './http-limits.js';
import { RateLimited } from './rate-limit.js';

/** Stands in for AuthGuard: the participant a token would prove, here from a header. */
@Injectable()
class FakeAuth implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string>; principal?: object }>();
    const id = request.headers['x-test-participant'];
    if (id) request.principal = { participantId: id };
    return true;
  }
}

@Controller()
class EchoController {
  @Post('items/:id')
  echo(@Param('id') id: string, @Body() body: unknown) {
    return { id, body };
  }

  @Get('items/:id')
  get(@Param('id') id: string) {
    return { id };
  }

  @Get('cacheable')
  @Header('cache-control', 'public, max-age=60')
  cacheable() {
    return { ok: true };
  }

  @Post('expensive')
  @UseGuards(FakeAuth)
  @RateLimited('heavy')
  expensive() {
    return { ok: true };
  }

  @Get('slow')
  async slow() {
    await new Promise((r) => setTimeout(r, 3_000));
    return { late: true };
  }

  @Get('stream')
  stream(@Res() reply: FastifyReply) {
    reply.hijack();
    keepStreamOpen(reply.raw);
    reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson' });
    reply.raw.write('{"type":"start"}\n');
    // Silent for longer than the idle timeout and the handler budget: only the exemption keeps it open.
    setTimeout(() => reply.raw.end('{"type":"end"}\n'), 3_000);
  }
}

@Module({ controllers: [EchoController], providers: [FakeAuth] })
class EchoModule {}

const settings = edgeConfigSchema.parse({
  HTTP_BODY_LIMIT_BYTES: '65536',
  HTTP_REQUEST_TIMEOUT_MS: '1000',
  HTTP_HEADERS_TIMEOUT_MS: '1000',
  HTTP_HANDLER_TIMEOUT_MS: '2000',
  HTTP_IDLE_TIMEOUT_MS: '2500',
  HTTP_MAX_URL_LENGTH: '2048',
  RATE_LIMIT_HEAVY: '3/1m',
});

let app: NestFastifyApplication;
let base: string;
let port: number;

beforeAll(async () => {
  app = await createHttpApp(
    EchoModule,
    { name: 'edge-test', title: 'edge test', description: 'edge test', textBodies: ['application/yaml'] },
    pino({ level: 'silent' }),
    settings,
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.getHttpServer().address() as { port: number }).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => app?.close(), 15_000);

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** Writes raw bytes on a fresh connection and collects whatever comes back until the server closes. */
function raw(chunks: (string | Buffer)[], { gapMs = 0, keepOpenMs = 0 } = {}) {
  return new Promise<{ text: string; error?: string; closedAfterMs: number }>((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let error: string | undefined;
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code));
    socket.on('close', () => resolve({ text, error, closedAfterMs: Date.now() - started }));
    void (async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
      if (keepOpenMs) await new Promise((r) => setTimeout(r, keepOpenMs));
      if (!socket.destroyed) socket.end();
    })();
  });
}

const problemOf = (text: string) =>
  JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;

describe('the control-character rule', () => {
  it('passes ordinary text, then refuses NUL in a path segment, the query and a body string with their paths', async () => {
    const ok = await fetch(`${base}/items/lot-1?q=%E9%80%A3`, json({ name: 'a\tb\nc 連携 🔋' }));
    expect(ok.status).toBe(201);

    const path = await fetch(`${base}/items/a%00b`);
    expect(path.status).toBe(400);
    expect(path.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await path.json()).toMatchObject({
      code: 'REQUEST.CONTROL_CHARACTER',
      errors: [{ path: '/path/1', message: expect.stringContaining('U+0000') }],
    });

    const query = await fetch(`${base}/items/x?q=%00`);
    expect(await query.json()).toMatchObject({ status: 400, errors: [{ path: '/query/q' }] });

    const body = await fetch(`${base}/items/x`, json({ events: [{ payload: { name: 'x\u0000' } }] }));
    expect(body.status).toBe(400);
    expect(await body.json()).toMatchObject({ errors: [{ path: '/body/events/0/payload/name' }] });

    const surrogate = await fetch(`${base}/items/x`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"\\ud800"}',
    });
    expect(await surrogate.json()).toMatchObject({
      code: 'REQUEST.CONTROL_CHARACTER',
      errors: [{ path: '/body/name', message: expect.stringContaining('surrogate') }],
    });

    const yaml = await fetch(`${base}/items/x`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: 'name: a\u0001',
    });
    expect(await yaml.json()).toMatchObject({ errors: [{ path: '/body' }] });
  });

  it('answers a control character in a header value Node lets through, and one it refuses, in problem+json', async () => {
    const { text } = await raw([`GET /items/x HTTP/1.1\r\nHost: x\r\nX-Note: a\u0001b\r\n\r\n`]);
    expect(text).toMatch(/^HTTP\/1\.1 400/);
    expect(text).toMatch(/content-type: application\/problem\+json/i);
    expect(problemOf(text).code).toMatch(/^REQUEST\.(CONTROL_CHARACTER|MALFORMED_HTTP)$/);
  });
});

describe('size limits', () => {
  it('answers a body over the limit with a clean 413, with and without Content-Length', async () => {
    const small = await fetch(`${base}/items/x`, json({ pad: 'x'.repeat(1_000) }));
    expect(small.status).toBe(201);

    const big = Buffer.from(JSON.stringify({ pad: 'x'.repeat(8_000_000) }));
    for (const chunked of [false, true]) {
      const result = await new Promise<{ status?: number; body: string; error?: string; sent: number }>(
        (resolve) => {
          let status: number | undefined;
          let body = '';
          let error: string | undefined;
          let sent = 0;
          const req = httpRequest(`${base}/items/x`, {
            method: 'POST',
            agent: false,
            headers: {
              'content-type': 'application/json',
              ...(chunked ? {} : { 'content-length': big.length }),
            },
          });
          req.on('response', (res) => {
            status = res.statusCode;
            res.on('data', (d) => (body += d));
          });
          // Any reset or broken pipe, before or after the answer, fails the test: that was the bug.
          req.on('error', (e: NodeJS.ErrnoException) => (error = e.code));
          req.on('close', () => resolve({ status, body, error, sent }));
          // Written in pieces, as an upload is: the refusal arrives while the client is still sending.
          void (async () => {
            let closed = false;
            req.once('close', () => (closed = true));
            for (let i = 0; i < big.length && !closed; i += 65_536) {
              sent += 65_536;
              if (!req.write(big.subarray(i, i + 65_536))) {
                await new Promise<void>((resolve) => {
                  const done = () => {
                    req.off('drain', done);
                    req.off('close', done);
                    resolve();
                  };
                  req.on('drain', done);
                  req.on('close', done);
                });
              }
            }
            if (!closed) req.end();
          })();
        },
      );
      expect(result.error, `chunked=${chunked}`).toBeUndefined();
      expect(result.status).toBe(413);
      expect(JSON.parse(result.body)).toMatchObject({ code: 'REQUEST.TOO_LARGE' });
    }
    // The same connection pool still works afterwards.
    expect((await fetch(`${base}/items/after`)).status).toBe(200);
  });

  it('answers a URL over the limit, and an over-long path segment, with 414 problem+json', async () => {
    expect((await fetch(`${base}/items/${'a'.repeat(90)}`)).status).toBe(200);
    const long = await fetch(`${base}/items/x?q=${'a'.repeat(3_000)}`);
    expect(long.status).toBe(414);
    expect(long.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await long.json()).toMatchObject({ code: 'REQUEST.URI_TOO_LONG' });

    const param = await fetch(`${base}/items/${'a'.repeat(5_000)}`);
    expect(param.status).toBe(414);
    expect(await param.json()).toMatchObject({ code: 'REQUEST.URI_TOO_LONG' });

    const { text } = await raw([`GET /items/x?q=${'a'.repeat(40_000)} HTTP/1.1\r\nHost: x\r\n\r\n`]);
    expect(text).toMatch(/^HTTP\/1\.1 414/);
    expect(problemOf(text)).toMatchObject({ code: 'REQUEST.URI_TOO_LONG' });
  });

  it('answers an unsupported media type with 415 problem+json', async () => {
    const res = await fetch(`${base}/items/x`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<a/>',
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE' });
  });
});

describe('security headers', () => {
  it('sends nosniff, a CSP without framing, and no-store unless the route allows caching', async () => {
    const res = await fetch(`${base}/items/x`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect((await fetch(`${base}/cacheable`)).headers.get('cache-control')).toBe('public, max-age=60');
    const problem = await fetch(`${base}/items/a%00`);
    expect(problem.headers.get('cache-control')).toBe('no-store');
    expect(problem.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('lets the Swagger UI at /docs load its own scripts and styles, and nothing else', async () => {
    const res = await fetch(`${base}/docs`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    // The page has no inline script the policy would block.
    expect(await res.text()).not.toMatch(/<script>(?!<\/script>)/);
  });
});

describe('rate limits', () => {
  it('lets a participant make its allowance of calls, then answers 429 with Retry-After; others are unaffected', async () => {
    const call = (who: string) =>
      fetch(`${base}/expensive`, { method: 'POST', headers: { 'x-test-participant': who } });
    for (let i = 0; i < 3; i++) expect((await call('p1')).status).toBe(201);
    const refused = await call('p1');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await refused.json()).toMatchObject({ code: 'RATE_LIMIT.EXCEEDED', status: 429 });
    expect((await call('p2')).status).toBe(201);
    // Unlimited routes are not counted.
    for (let i = 0; i < 5; i++) expect((await fetch(`${base}/items/x`)).status).toBe(200);
  });
});

describe('timeouts', () => {
  it('cuts off a body that trickles in (slowloris) with 408 while other requests are served', async () => {
    const slow = raw(
      [
        'POST /items/x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n',
        ...Array.from({ length: 20 }, () => ' '),
      ],
      { gapMs: 250 },
    );
    await new Promise((r) => setTimeout(r, 300));
    const other = await fetch(`${base}/items/meanwhile`);
    expect(other.status).toBe(200);
    const { text, closedAfterMs } = await slow;
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(problemOf(text)).toMatchObject({ code: 'REQUEST.TIMEOUT' });
    expect(closedAfterMs).toBeLessThan(2_500);
  });

  it('cuts off headers that trickle in', async () => {
    const { text, closedAfterMs } = await raw(
      ['GET /items/x HTTP/1.1\r\n', ...Array.from({ length: 20 }, (_, i) => `X-H${i}: v\r\n`)],
      { gapMs: 200 },
    );
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(closedAfterMs).toBeLessThan(2_500);
  });

  it('answers a handler over its time budget with 503, and keeps a hijacked stream open past every timeout', async () => {
    const slow = await fetch(`${base}/slow`);
    expect(slow.status).toBe(503);
    expect(await slow.json()).toMatchObject({ code: 'REQUEST.HANDLER_TIMEOUT' });

    const stream = await fetch(`${base}/stream`);
    expect(await stream.text()).toBe('{"type":"start"}\n{"type":"end"}\n');
  }, 15_000);
});
