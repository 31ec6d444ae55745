import { z } from 'zod';
import { createHttpApp, createLogger, listenAndServe, loadConfig } from '#libs/platform';
import { CpsSimModule } from './cps-sim.module.js';
import { describeCpsSim } from './cps-sim.description.js';

const config = loadConfig(
  z.object({
    HOST: z.string().default('127.0.0.1'),
    PORT: z.coerce.number().int().default(3004),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  }),
);
const logger = createLogger('cps-sim', config.LOG_LEVEL);
const app = await createHttpApp(CpsSimModule, describeCpsSim, logger);
await listenAndServe(app, { host: config.HOST, port: config.PORT, logger, onClose: () => Promise.resolve() });
