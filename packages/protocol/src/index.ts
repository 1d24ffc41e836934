export * from './messages.js';
export * from './frame.js';
export * from './codec.js';
export * from './topics.js';
export * from './readout.js';
export * from './clock.js';
