export type { Hospital, Twin } from './model.js';
// bench/ builds synthetic networks with it (bench/synthetic-network.ts).
export { Random } from './random.js';
export { compareEvents, eventsForTwin, TwinBuilder, twinDigest, type TwinEvent } from './twin.js';
export {
  compileDisruption,
  compileNetwork,
  simulateNetwork,
  type SimulateNetworkOptions,
} from './network.js';
export { type DisruptionResult, type DisruptionScenario, simulateDisruption } from './disruption.js';
export { compareMethods, type MethodComparison, type ProcessMethod } from './method-switch.js';
export { type CfpRollUp, rollUpCfp } from './cfp.js';
export { forecastOccupancy, type OccupancyForecast, type OccupancyScenario } from './hospital.js';
