import { Module, type DynamicModule } from '@nestjs/common';
import { AuthGuard, TOKEN_VERIFIER, type TokenVerifier } from '@renkei/auth';
import { OutboxRelay } from '@renkei/kafka';
import { PrismaClient } from '@renkei/persistence';
import { HEALTH_CHECK, type HealthCheck } from '@renkei/platform';
import { HeldGrants } from './contracts/held-grants.js';
import { SchemaWork } from './contracts/schema-work.js';

/** Public base URLs the catalog links to (DCAT access services, contract documents). */
export abstract class RegistryUrls {
  abstract readonly registry: string;
  abstract readonly exchange: string;
}

/** What main.ts (or the OpenAPI generator, with placeholders) gives the registry. */
export interface RegistryDeps {
  prisma: PrismaClient;
  outbox: OutboxRelay;
  verifier: TokenVerifier;
  urls: RegistryUrls;
  health: HealthCheck;
  /**
   * Clearing's answer to "which inputs does this registrant hold grants on" (derived contracts). Without
   * it none are held: only inputs the registrant owns verify.
   */
  heldGrants?: HeldGrants;
  /** The schema worker pool (limits, budget); default: tasks run inline, for generating documents. */
  schemaWork?: SchemaWork;
}

const noGrantsHeld: HeldGrants = { held: () => Promise.resolve(new Set<string>()) };

/**
 * The registry's dependencies as providers, each under its own class: the database, the outbox relay, the
 * token verifier (and the guard that uses it), the schema worker pool, clearing's grant lookup, the public
 * URLs and the health check. Global, because every feature module needs some of them and they are given
 * once, at the composition root; the feature modules export only their own services.
 */
@Module({})
export class RegistryDependenciesModule {
  static register(deps: RegistryDeps): DynamicModule {
    const providers = [
      { provide: PrismaClient, useValue: deps.prisma },
      { provide: OutboxRelay, useValue: deps.outbox },
      { provide: TOKEN_VERIFIER, useValue: deps.verifier },
      { provide: RegistryUrls, useValue: deps.urls },
      { provide: HEALTH_CHECK, useValue: deps.health },
      { provide: HeldGrants, useValue: deps.heldGrants ?? noGrantsHeld },
      { provide: SchemaWork, useValue: deps.schemaWork ?? new SchemaWork({}, true) },
      AuthGuard,
    ];
    return {
      module: RegistryDependenciesModule,
      global: true,
      providers,
      exports: providers.map((p) => ('provide' in p ? p.provide : p)),
    };
  }
}
