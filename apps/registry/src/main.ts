import { runService } from '@renkei/platform';
import { composeRegistry } from './registry.composition.js';
import { registryConfigSchema } from './registry.config.js';
import { describeRegistry } from './registry.description.js';

await runService({ service: describeRegistry, config: registryConfigSchema, compose: composeRegistry });
