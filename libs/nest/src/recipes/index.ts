export * from './paths';
export * from './queue-decision';
export * from './lock';
export * from './leader-latch';
export * from './service-registry';
