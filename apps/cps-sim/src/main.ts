import { runService } from '@renkei/platform';
import { composeCpsSim } from './cps-sim.composition.js';
import { cpsConfigSchema } from './cps-sim.config.js';
import { describeCpsSim } from './cps-sim.description.js';

await runService({
  service: describeCpsSim,
  config: cpsConfigSchema,
  // No Kafka or database clients here: an unhandled rejection is a bug, and Node's default ends the process.
  guardProcess: false,
  compose: composeCpsSim,
});
