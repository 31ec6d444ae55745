export type { Hospital, Twin } from './model.js';
// bench/ builds synthetic networks with it (branch contracts-sdk moves the generator there).
export { Random } from './random.js';
export { compareEvents, eventsForTwin, TwinBuilder, twinDigest, type TwinEvent } from './twin.js';
export {
  compileDisruption,
  compileNetwork,
  simulateNetwork,
  type SimulateNetworkOptions,
  syntheticNetwork,
} from './network.js';
export { type DisruptionScenario, simulateDisruption } from './disruption.js';
export { compareMethods, type ProcessMethod } from './method-switch.js';
export { rollUpCfp } from './cfp.js';
export { forecastOccupancy, type OccupancyScenario } from './hospital.js';
