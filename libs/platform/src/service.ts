import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import type { ShutdownSettings } from './config.js';

const DEFAULT_SHUTDOWN: ShutdownSettings = { SHUTDOWN_TIMEOUT_MS: 25_000, SHUTDOWN_DRAIN_MS: 0 };

/**
 * Starts a built app and stops it (and the resources it owns) gracefully on SIGINT/SIGTERM:
 *
 * 1. `onSignal`: readiness turns false (the health check reports `shutdown: down`);
 * 2. for SHUTDOWN_DRAIN_MS the service keeps serving, so a load balancer stops sending it requests;
 * 3. `beforeClose`: what would hold the server's close ends (the exchange's streams, each with an `end`
 *    line carrying its position);
 * 4. the app closes: no new connections, new requests on open ones are answered 503, in-flight requests
 *    (publishes awaiting their acknowledgement from Kafka) finish;
 * 5. `onClose`: the probes stop, the outbox relay drains once more, consumers commit and disconnect,
 *    producers and the database disconnect;
 * 6. exit 0. If all this takes longer than SHUTDOWN_TIMEOUT_MS, or a step fails, exit 1 with the step named.
 *
 * A second signal while stopping changes nothing (the deadline still holds).
 */
export async function listenAndServe(
  app: NestFastifyApplication,
  options: {
    host: string;
    port: number;
    /** What the `listening` line says (https when the app was built with a certificate). */
    scheme?: 'http' | 'https';
    logger: Logger;
    shutdown?: ShutdownSettings;
    onSignal?: () => void;
    beforeClose?: () => Promise<void>;
    onClose: () => Promise<void>;
  },
): Promise<void> {
  await app.listen({ host: options.host, port: options.port });
  options.logger.info({ url: `${options.scheme ?? 'http'}://${options.host}:${options.port}` }, 'listening');
  const settings = options.shutdown ?? DEFAULT_SHUTDOWN;
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) {
      options.logger.info({ signal }, 'already shutting down');
      return;
    }
    closing = true;
    const started = Date.now();
    let step = 'drain';
    options.logger.info(
      { signal, timeoutMs: settings.SHUTDOWN_TIMEOUT_MS, drainMs: settings.SHUTDOWN_DRAIN_MS },
      'shutting down',
    );
    const deadline = setTimeout(() => {
      options.logger.error(
        { step, ms: Date.now() - started },
        `shutdown did not finish within SHUTDOWN_TIMEOUT_MS (${settings.SHUTDOWN_TIMEOUT_MS} ms); exiting`,
      );
      process.exit(1);
    }, settings.SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    const run = async () => {
      options.onSignal?.();
      if (settings.SHUTDOWN_DRAIN_MS > 0)
        await new Promise((resolve) => setTimeout(resolve, settings.SHUTDOWN_DRAIN_MS));
      step = 'end streams';
      await options.beforeClose?.();
      step = 'close the HTTP server';
      await app.close();
      step = 'close clients';
      await options.onClose();
    };
    run()
      .then(() => {
        options.logger.info({ ms: Date.now() - started }, 'stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        options.logger.error({ err: error, step }, 'shutdown failed');
        process.exit(1);
      });
  };
  // `on`, not `once`: a further signal while stopping must not kill the process before its clients are flushed.
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}
