export * from './config';
export * from './core';
export * from './effects';
export * from './prep';
export * from './read-ops';
export * from './results';
export * from './sequencer';
export * from './sessions';
export { Connection, LatencyStats, type CoreStats, type CoreConnectionStats } from './stats';
