import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyServerOptions } from 'fastify';
import type { EdgeSettings } from './edge.config.js';
import { EdgeRefusal, edgeProblemOf, edgeProblems, type EdgeProblem } from './framework-errors.js';

/**
 * Timeouts and size limits of the HTTP server (slowloris, oversized uploads and URLs):
 *
 * - headers must arrive within HTTP_HEADERS_TIMEOUT_MS and the whole request, body included, within
 *   HTTP_REQUEST_TIMEOUT_MS, or the connection is answered 408 and closed. Node checks this every
 *   `connectionsCheckingInterval` (30 s by default, far too coarse for a 10 s limit), so the check runs at
 *   a tenth of the shortest limit. A request that has fully arrived is no longer subject to these: an
 *   NDJSON stream that runs for hours is a response, not a request;
 * - a handler has HTTP_HANDLER_TIMEOUT_MS to answer (503 REQUEST.HANDLER_TIMEOUT); a hijacked reply (the
 *   exchange's stream) clears the timer, as Fastify documents;
 * - a socket with no traffic either way for HTTP_IDLE_TIMEOUT_MS is closed; {@link keepStreamOpen} lifts it
 *   for long-lived streams, which carry their own heartbeats and end conditions.
 */
export function edgeServerOptions(settings: EdgeSettings, bodyLimit: number): FastifyServerOptions {
  const checkEvery = Math.max(
    50,
    Math.min(
      1_000,
      Math.floor(Math.min(settings.HTTP_HEADERS_TIMEOUT_MS, settings.HTTP_REQUEST_TIMEOUT_MS) / 10),
    ),
  );
  return {
    bodyLimit,
    trustProxy: settings.TRUST_PROXY,
    connectionTimeout: settings.HTTP_IDLE_TIMEOUT_MS,
    keepAliveTimeout: settings.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: settings.HTTP_REQUEST_TIMEOUT_MS,
    ...(settings.HTTP_HANDLER_TIMEOUT_MS > 0 ? { handlerTimeout: settings.HTTP_HANDLER_TIMEOUT_MS } : {}),
    http: {
      maxHeaderSize: settings.HTTP_MAX_HEADER_BYTES,
      headersTimeout: Math.min(settings.HTTP_HEADERS_TIMEOUT_MS, settings.HTTP_REQUEST_TIMEOUT_MS),
      requestTimeout: settings.HTTP_REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: checkEvery,
    },
    clientErrorHandler: (error, socket) => answerClientError(error, socket, settings),
    // The router refuses a malformed URL (400) or an over-long path parameter (414) before any hook or
    // error handler of the app is in place: answered here, in the same problem+json as everything else.
    frameworkErrors: (error, request, reply) => {
      const problem = edgeProblemOf(error) ?? edgeProblems.malformedUrl;
      const raw = reply as unknown as FastifyReply;
      void raw
        .code(problem.status)
        .headers(bareSecurityHeaders)
        .header('content-type', 'application/problem+json')
        .send(problemBody(problem, request.url));
    },
  } as FastifyServerOptions;
}

/** For the few answers given before the security-header plugin runs (router and parser refusals). */
const bareSecurityHeaders = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

function problemBody(problem: EdgeProblem, url: string | undefined) {
  return JSON.stringify({
    type: `urn:renkei:error:${problem.code}`,
    title: problem.code,
    status: problem.status,
    code: problem.code,
    detail: problem.detail,
    hint: problem.hint,
    instance: url?.split('?')[0] ?? '/',
  });
}

/**
 * What Node's HTTP parser refuses before Fastify sees a request (a request that arrives too slowly, a URL
 * or headers over the size limit, malformed HTTP) is answered in problem+json like everything else, then
 * the connection is closed: its state is unknown.
 */
export function answerClientError(
  error: Error & { code?: string; rawPacket?: unknown },
  socket: Socket,
  settings: EdgeSettings,
): void {
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || socket.destroyed) {
    socket.destroy();
    return;
  }
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean; req?: { url?: string } } })
    ._httpMessage;
  // A response is already on its way (e.g. a 413 while the rest of the body was drained): just close.
  if (inFlight?.headersSent) {
    socket.destroy(error);
    return;
  }
  let problem: EdgeProblem;
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    problem = {
      status: 408,
      code: 'REQUEST.TIMEOUT',
      detail: `The request did not arrive in time (headers within ${settings.HTTP_HEADERS_TIMEOUT_MS} ms, all of it within ${settings.HTTP_REQUEST_TIMEOUT_MS} ms)`,
      hint: 'Send the whole request at once; split very large uploads',
    };
  } else if (error.code === 'HPE_HEADER_OVERFLOW') {
    // Node counts the request line with the headers: when the first line is longer than any URL may be
    // (or never ends), the URL is the culprit.
    const firstLineEnd = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.indexOf('\r\n') : 0;
    problem =
      firstLineEnd >= 0 && firstLineEnd <= settings.HTTP_MAX_URL_LENGTH
        ? {
            status: 431,
            code: 'REQUEST.HEADERS_TOO_LARGE',
            detail: `The request headers are larger than ${settings.HTTP_MAX_HEADER_BYTES} bytes`,
            hint: 'Send fewer or shorter headers',
          }
        : edgeProblems.uriTooLong;
  } else {
    problem = {
      status: 400,
      code: 'REQUEST.MALFORMED_HTTP',
      detail: 'The request is not valid HTTP/1.1',
      hint: 'Send a well-formed HTTP request; header values must not carry control characters',
    };
  }
  if (socket.writable) {
    const body = problemBody(problem, inFlight?.req?.url);
    const headers = Object.entries(bareSecurityHeaders)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n` +
        `content-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
        `${headers}connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * A URL longer than HTTP_MAX_URL_LENGTH is answered 414 before routing work starts. (Longer than the
 * header limit, Node's parser refuses it first: see {@link answerClientError}.)
 */
export function installUrlLimit(fastify: FastifyInstance, settings: EdgeSettings): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    done(
      request.url.length > settings.HTTP_MAX_URL_LENGTH
        ? new EdgeRefusal({
            ...edgeProblems.uriTooLong,
            detail: `The URL is longer than ${settings.HTTP_MAX_URL_LENGTH} characters`,
          })
        : undefined,
    );
  });
}

/**
 * Fastify refuses a body over the limit as soon as it knows (at once from Content-Length, or at the first
 * chunk over the limit) and asks for the connection to be closed. Closing a socket whose peer is still
 * sending makes the kernel answer the next bytes with a reset, and the client then sees EPIPE or
 * ECONNRESET instead of the 413 (always so when the client itself asked for `Connection: close`). So the
 * 413 waits until the rest of the body has been read and discarded (a lingering close, as web servers
 * do), and keeps a keep-alive connection open. The wait is bounded: past `drainLimitBytes`, or when the
 * request timeout cuts the upload off, the connection is closed anyway — only an abusive upload gets there.
 */
export function installCleanRefusalOfLargeBodies(fastify: FastifyInstance, bodyLimit: number): void {
  const drainLimitBytes = Math.max(4 * bodyLimit, 32 * 1024 * 1024);
  fastify.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode !== 413 || request.raw.complete) return payload;
    const drained = await drain(request.raw, drainLimitBytes);
    if (drained) reply.removeHeader('connection');
    else reply.header('connection', 'close');
    return payload;
  });
}

/** Reads and discards the rest of a request body; false if it is longer than `limit` or breaks off. */
function drain(raw: NodeJS.ReadableStream & { complete: boolean }, limit: number): Promise<boolean> {
  return new Promise((resolve) => {
    let bytes = 0;
    const finish = (ok: boolean) => {
      raw.removeListener('data', onData);
      raw.removeListener('end', onEnd);
      raw.removeListener('close', onClose);
      resolve(ok);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) finish(false);
    };
    const onEnd = () => finish(true);
    const onClose = () => finish(raw.complete);
    raw.on('data', onData);
    raw.once('end', onEnd);
    raw.once('close', onClose);
    raw.resume();
  });
}

/** Lifts the idle-socket timeout for a long-lived response (an NDJSON stream with its own heartbeats). */
export function keepStreamOpen(raw: { socket: Socket | null }): void {
  raw.socket?.setTimeout(0);
}
