import type { DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { createHttpApp, type ServiceDescription } from './bootstrap.js';
import { configIssues, invalidConfiguration, productionIssues, shutdownConfigSchema } from './config.js';
import { edgeConfigSchema } from './edge/edge.config.js';
import type { HealthCheck } from './health.controller.js';
import { createLogger, routeProcessWarnings } from './logger.js';
import { refusalRecorder, type RefusalSink } from './refusal-audit.js';
import { DependencyDeadlineInterceptor } from './resilience/deadline.interceptor.js';
import { guardProcess, keepTrying } from './resilience/process-guards.js';
import { healthOf, Readiness } from './resilience/readiness.js';
import { listenAndServe } from './service.js';
import { httpsOptions, servedScheme, trustCaFile, type TlsSettings } from './tls.js';
import { startTracing } from './tracing.js';

/** A shutdown step: closes one thing the service opened. */
export type CloseStep = () => unknown;

/**
 * The things a service opened, closed in reverse order: what was opened last (and may use what came
 * before it) is closed first. Every step runs even if an earlier one failed; the failures are logged and
 * reported together at the end, so one stuck client does not leave the database connections open.
 */
export class ShutdownSteps {
  private readonly steps: CloseStep[] = [];

  constructor(private readonly logger: Logger) {}

  add(step: CloseStep): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    const failures: unknown[] = [];
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        this.logger.warn({ err: error }, 'a shutdown step failed; the others still run');
        failures.push(error);
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, `${failures.length} shutdown step(s) failed`);
  }
}

/**
 * What a service's composition gets while it builds its module: its validated configuration, its logger,
 * its readiness, and a place to register what must be closed and what starts in the background.
 * Dependency helpers (`useDatabase` in libs/persistence, `useKafka` in libs/kafka) take it as well.
 */
export interface ServiceRuntime<C = unknown> {
  readonly name: string;
  readonly config: C;
  readonly logger: Logger;
  /** The service's dependencies and their states; `/health` shows it unless the service brings its own. */
  readonly readiness: Readiness;
  /** `readiness` as the health controller reads it (provide it as HEALTH_CHECK). */
  readonly health: HealthCheck;
  /** Runs at shutdown, after the HTTP server has closed and the probes have stopped; last added runs first. */
  onClose(step: CloseStep): void;
  /**
   * Listen first: `work` is retried with backoff in the background until it succeeds (keepTrying, logged
   * as `<what> could not start; retrying`). Resolves once it has.
   */
  inBackground(what: string, work: () => Promise<unknown>): Promise<void>;
  /** Where the app's security refusals go (ADR 0018) once it is built; until then, and without one, the log. */
  recordRefusalsTo(sink: RefusalSink): void;
  /**
   * Runs once the app is built, before it listens and before `started`: e.g. connecting a microservice
   * transport whose handlers live in the container (`app.connectMicroservice`, `startAllMicroservices`).
   */
  withApp(step: (app: NestFastifyApplication) => void | Promise<void>): void;
}

/** What every service's configuration has: where it listens and how much it logs. */
export interface ListenSettings {
  HOST: string;
  PORT: number;
  LOG_LEVEL: string;
}

export interface ServiceSpec<S extends z.ZodType<ListenSettings, unknown>> {
  /** Name (logger, refusal records), title and description (OpenAPI), body parsers. */
  service: ServiceDescription;
  /** The environment's schema (usually `baseConfigSchema.extend(...)`); a bad value fails the boot. */
  config: S;
  /**
   * Opens what the service needs (through the runtime, so it is closed again) and returns the root
   * module. Nothing here may wait for Kafka or the database: the service listens first.
   */
  compose(runtime: ServiceRuntime<z.output<S>>): DynamicModule | Promise<DynamicModule>;
  /** After the app is built, before it listens: start what lives in the container (add its close step). */
  started?(app: NestFastifyApplication, runtime: ServiceRuntime<z.output<S>>): void | Promise<void>;
  /** At shutdown, before the HTTP server closes: end what would hold `close` (open streams). */
  beforeClose?(app: NestFastifyApplication): Promise<void>;
  /**
   * Settings the schema may leave out for the demo and the tests (secrets, keys, peers' public keys) that
   * must be given explicitly with NODE_ENV=production.
   */
  requiredInProduction?: readonly string[];
  /**
   * Unhandled errors from a dependency's client are logged and the process carries on; any other ends it
   * with status 1 (guardProcess). Default true; off only for a service without Kafka or database clients.
   */
  guardProcess?: boolean;
}

/**
 * Every setting a service reads at boot, checked at once: its own schema, the HTTP edge's, the shutdown
 * settings, and in production the settings that have no development default. Throws naming every wrong
 * one (not just the first) before anything is opened.
 */
export function loadServiceConfig<S extends z.ZodType<ListenSettings, unknown>>(
  spec: Pick<ServiceSpec<S>, 'config' | 'requiredInProduction'>,
  env: NodeJS.ProcessEnv = process.env,
) {
  const own = configIssues(spec.config, env);
  const edge = configIssues(edgeConfigSchema, env);
  const shutdown = configIssues(shutdownConfigSchema, env);
  const issues = [...own.issues, ...edge.issues, ...shutdown.issues];
  // A secret that is missing altogether is named once, not again as required in production.
  issues.push(
    ...productionIssues(spec.requiredInProduction ?? [], env).filter(
      (p) => !issues.some((i) => i.path === p.path),
    ),
  );
  if (issues.length > 0) throw invalidConfiguration(issues);
  return { config: own.data as z.output<S>, edge: edge.data!, shutdown: shutdown.data! };
}

/**
 * One way to start and stop a service: configuration (zod, every setting checked before anything opens),
 * logger, process guards, readiness, the HTTP app (createHttpApp) with the dependency deadline and the
 * refusal sink, listen, and on SIGINT/SIGTERM (listenAndServe): not ready, drain, `beforeClose`, close the
 * app (in-flight requests finish; it flushes the refusal recorder), stop the probes, then every close step
 * in reverse order, all within SHUTDOWN_TIMEOUT_MS. Resolves once the service listens.
 *
 * A wrong setting ends the process with status 2 and every wrong variable named on stderr.
 */
export async function runService<S extends z.ZodType<ListenSettings, unknown>>(
  spec: ServiceSpec<S>,
): Promise<NestFastifyApplication> {
  let settings: ReturnType<typeof loadServiceConfig<S>>;
  try {
    settings = loadServiceConfig(spec);
  } catch (error) {
    process.stderr.write(`${spec.service.name}: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const { config } = settings;
  const name = spec.service.name;
  // Before any client opens: outgoing HTTPS to the other services trusts the configured CA (ADR 0034).
  const tlsSettings = config as Partial<TlsSettings>;
  trustCaFile(tlsSettings.TLS_CA_FILE);
  // Before anything opens: the logger, the HTTP app and the Kafka clients see whether tracing is on.
  const stopTracing = startTracing(name);
  const logger = createLogger(name, config.LOG_LEVEL);
  routeProcessWarnings(logger);
  if (spec.guardProcess !== false) guardProcess(logger);
  const readiness = new Readiness(logger.child({ component: 'readiness' }));
  const shutdown = new ShutdownSteps(logger);
  // Added first, so it runs last: the spans of the other close steps are flushed too.
  if (stopTracing) shutdown.add(stopTracing);
  let refusalSink: RefusalSink | undefined;
  const appSteps: ((app: NestFastifyApplication) => void | Promise<void>)[] = [];
  // Set on the stop signal: readiness turns false before anything else happens (listenAndServe).
  let stopping = false;
  const runtime: ServiceRuntime<z.output<S>> = {
    name,
    config,
    logger,
    readiness,
    health: () =>
      Promise.resolve(stopping ? { ...healthOf(readiness), shutdown: 'down' as const } : healthOf(readiness)),
    onClose: (step) => shutdown.add(step),
    inBackground: (what, work) =>
      keepTrying(
        what,
        async () => {
          await work();
        },
        logger,
      ).then(() => undefined),
    recordRefusalsTo: (sink) => {
      refusalSink = sink;
    },
    withApp: (step) => {
      appSteps.push(step);
    },
  };
  const app = await createHttpApp(
    await spec.compose(runtime),
    spec.service,
    logger,
    settings.edge,
    httpsOptions(tlsSettings),
  );
  if (refusalSink) refusalRecorder(app).useSink(refusalSink);
  app.useGlobalInterceptors(new DependencyDeadlineInterceptor(readiness));
  for (const step of appSteps) await step(app);
  await spec.started?.(app, runtime);
  const beforeClose = spec.beforeClose;
  await listenAndServe(app, {
    host: config.HOST,
    port: config.PORT,
    scheme: servedScheme(tlsSettings),
    logger,
    shutdown: settings.shutdown,
    onSignal: () => {
      stopping = true;
    },
    ...(beforeClose ? { beforeClose: () => beforeClose(app) } : {}),
    onClose: async () => {
      readiness.stop();
      await shutdown.run();
    },
  });
  return app;
}
