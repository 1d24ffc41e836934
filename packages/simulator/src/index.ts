/** @sde/simulator: simulated SDE devices and fleets speaking device protocol v1. */
export * from './device.js';
export * from './journal.js';
export * from './histogram.js';
export * from './geo.js';
export * from './credentials.js';
export * from './readout.js';
export * from './transmitter.js';
export * from './behaviour.js';
export * from './fleet.js';
export * from './simulate.js';
export { seededRandom } from './random.js';
