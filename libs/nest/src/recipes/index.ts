export * from './paths';
export * from './queue-decision';
export * from './lock';
export * from './service-registry';
