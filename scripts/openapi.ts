/**
 * Writes each service's OpenAPI document to docs/api/<service>.openapi.json (committed, so API changes show
 * in review). `--check` fails when the committed documents differ from the code.
 * The modules are built with inert placeholders: documents are generated from the routes' metadata,
 * nothing is called.
 */
import 'reflect-metadata';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { openApiDocument, type ServiceDescription } from '#libs/platform';
import { RegistryModule } from '../apps/registry/src/registry.module.js';
import { ClearingModule } from '../apps/clearing/src/clearing.module.js';
import { ExchangeModule } from '../apps/exchange/src/exchange.module.js';
import { CpsSimModule } from '../apps/cps-sim/src/cps-sim.module.js';
import { describeRegistry } from '../apps/registry/src/registry.description.js';
import { describeClearing } from '../apps/clearing/src/clearing.description.js';
import { describeExchange } from '../apps/exchange/src/exchange.description.js';
import { describeCpsSim } from '../apps/cps-sim/src/cps-sim.description.js';

const root = new URL('../..', import.meta.url).pathname;
const inert = {} as never;
const services: [ServiceDescription, unknown][] = [
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
  [
    describeExchange,
    ExchangeModule.register({ runtime: inert, verifier: inert, pseudonymSecret: '', health: inert }),
  ],
  [describeCpsSim, CpsSimModule.register({ context: inert, verifier: inert, health: inert })],
];

const check = process.argv.includes('--check');
let drift = false;
mkdirSync(`${root}/docs/api`, { recursive: true });
for (const [description, module] of services) {
  const app = await NestFactory.create<NestFastifyApplication>(module as never, new FastifyAdapter(), {
    logger: false,
  });
  const json = JSON.stringify(openApiDocument(app, description), null, 2) + '\n';
  await app.close();
  const file = `${root}/docs/api/${description.name}.openapi.json`;
  if (check) {
    let committed = '';
    try {
      committed = readFileSync(file, 'utf8');
    } catch {
      // missing counts as drift
    }
    if (committed !== json) {
      drift = true;
      console.error(
        `[openapi] docs/api/${description.name}.openapi.json is out of date: run npm run openapi`,
      );
    }
  } else {
    writeFileSync(file, json);
    console.log(`[openapi] wrote docs/api/${description.name}.openapi.json`);
  }
}
if (drift) process.exit(1);
