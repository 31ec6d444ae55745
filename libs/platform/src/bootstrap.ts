import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { edgeServerOptions, installEdge, loadEdgeSettings, type EdgeSettings } from './edge/index.js';
import { PinoNestLogger } from './logger.js';
import { completeDocument } from './openapi.js';
import { MAX_PARAM_LENGTH } from './framework-errors.js';
import { ProblemFilter } from './problem.filter.js';
import { installRefusalAudit } from './refusal-audit.js';
import { installHttpMetrics, registerMetricsRoute } from './metrics.js';
import { installHttpTracing } from './tracing.js';

export interface ServiceDescription {
  name: string;
  title: string;
  description: string;
  bodyLimitBytes?: number;
  /** Content types accepted as plain text bodies (e.g. application/yaml for ODCS documents). */
  textBodies?: string[];
  /** Further content types parsed as JSON (e.g. application/fhir+json). */
  jsonBodies?: string[];
}

export function openApiDocument(app: NestFastifyApplication, service: ServiceDescription): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(service.title)
    .setDescription(service.description)
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  return completeDocument(SwaggerModule.createDocument(app, config));
}

/**
 * Creates a Fastify-backed Nest app with problem+json errors, OpenAPI at /openapi.json and docs at /docs,
 * and the edge's limits and rules (libs/platform/src/edge; settings from the environment by default); over
 * HTTPS when given a certificate and key (httpsOptions).
 */
export async function createHttpApp(
  module: unknown,
  service: ServiceDescription,
  logger: Logger,
  edge: EdgeSettings = loadEdgeSettings(),
  https?: { cert: Buffer; key: Buffer },
): Promise<NestFastifyApplication> {
  const bodyLimit = edge.HTTP_BODY_LIMIT_BYTES ?? service.bodyLimitBytes ?? 5 * 1024 * 1024;
  const serverOptions = edgeServerOptions(edge, bodyLimit);
  const adapter = new FastifyAdapter({
    ...serverOptions,
    // HTTPS only when configured (ADR 0034): no plain listener next to it. Fastify hands `http` (the edge's
    // header size and request timeouts) to node:http only, so they go into node:https's options as well.
    ...(https ? { https: { ...(serverOptions as { http?: object }).http, ...https } } : {}),
    logger: false,
    // Longer than any id a path names, so an over-long id is the handler's 400 naming the parameter;
    // beyond it Fastify answers 414 (problem+json, the edge's frameworkErrors).
    maxParamLength: MAX_PARAM_LENGTH,
  });
  const app = await NestFactory.create<NestFastifyApplication>(module as never, adapter, {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
  });
  app.useGlobalFilters(new ProblemFilter(logger));
  await installEdge(app, edge, bodyLimit);
  // No app.enableShutdownHooks(): Nest would close the app on SIGTERM at once, before readiness turns false
  // and streams end. listenAndServe owns the signals; its app.close() runs the same lifecycle hooks.
  const document = openApiDocument(app, service);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json' });
  const requestLog = logger.child({ component: 'http' });
  const fastify = app.getHttpAdapter().getInstance();
  installRefusalAudit(fastify, service.name, logger);
  if (service.jsonBodies && service.jsonBodies.length > 0) {
    fastify.addContentTypeParser(
      service.jsonBodies,
      { parseAs: 'string' },
      fastify.getDefaultJsonParser('error', 'error'),
    );
  }
  if (service.textBodies && service.textBodies.length > 0) {
    fastify.addContentTypeParser(service.textBodies, { parseAs: 'string' }, (_request, body, done) => {
      done(null, body);
    });
  }
  registerMetricsRoute(fastify);
  installHttpMetrics(fastify);
  installHttpTracing(fastify);
  fastify.addHook('onResponse', (request, reply, done) => {
    // Method, path and status only: headers and bodies may carry tokens and data.
    requestLog.debug(
      {
        method: request.method,
        path: request.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
    done();
  });
  return app;
}
