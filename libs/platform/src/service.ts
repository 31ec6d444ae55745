import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';

/** Starts a built app and stops it (and the resources it owns) cleanly on SIGINT/SIGTERM. */
export async function listenAndServe(
  app: NestFastifyApplication,
  options: {
    host: string;
    port: number;
    /** What the `listening` line says (https when the app was built with a certificate). */
    scheme?: 'http' | 'https';
    logger: Logger;
    beforeClose?: () => Promise<void>;
    onClose: () => Promise<void>;
  },
): Promise<void> {
  await app.listen({ host: options.host, port: options.port });
  options.logger.info({ url: `${options.scheme ?? 'http'}://${options.host}:${options.port}` }, 'listening');
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    options.logger.info({ signal }, 'shutting down');
    (options.beforeClose ?? (() => Promise.resolve()))()
      .then(() => app.close())
      .then(options.onClose)
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        options.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
