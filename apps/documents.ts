/**
 * Each service's OpenAPI document, generated from its routes' metadata (nothing is called: the modules
 * are built with inert placeholders). Used by scripts/openapi.ts (the committed docs/api/*.json) and by
 * apps/openapi.spec.ts (the guard that every operation documents every response).
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { openApiDocument, type ServiceDescription } from '@renkei/platform';
import { RegistryModule } from './registry/src/registry.module.js';
import { ClearingModule } from './clearing/src/clearing.module.js';
import { ExchangeModule } from './exchange/src/exchange.module.js';
import { CpsSimModule } from './cps-sim/src/cps-sim.module.js';
import { describeRegistry } from './registry/src/registry.description.js';
import { describeClearing } from './clearing/src/clearing.description.js';
import { describeExchange } from './exchange/src/exchange.description.js';
import { describeCpsSim } from './cps-sim/src/cps-sim.description.js';

const inert = {} as never;

function services(): [ServiceDescription, unknown][] {
  return [
    [
      describeRegistry,
      RegistryModule.register({
        prisma: inert,
        outbox: inert,
        verifier: inert,
        health: inert,
        urls: { registry: 'https://registry.renkei.example', exchange: 'https://exchange.renkei.example' },
      }),
    ],
    [
      describeClearing,
      ClearingModule.register({
        prisma: inert,
        outbox: inert,
        state: inert,
        sync: inert,
        policy: inert,
        issuer: inert,
        verifier: inert,
        settings: inert,
        clock: inert,
        health: inert,
        dataKeys: inert,
        serviceJwks: null,
      }),
    ],
    // The exchange's services read their settings when constructed: an empty one takes the defaults.
    [describeExchange, ExchangeModule.register({ settings: {} } as never)],
    [describeCpsSim, CpsSimModule.register({ identity: inert, verifier: inert, health: inert })],
  ];
}

/** The four documents, by service name. */
export async function serviceDocuments(): Promise<{ name: string; document: OpenAPIObject }[]> {
  const out: { name: string; document: OpenAPIObject }[] = [];
  for (const [description, module] of services()) {
    const app = await NestFactory.create<NestFastifyApplication>(module as never, new FastifyAdapter(), {
      logger: false,
    });
    out.push({ name: description.name, document: openApiDocument(app, description) });
    await app.close();
  }
  return out;
}
