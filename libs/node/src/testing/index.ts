/** Test helpers for programs that start a node (`@coord/node/testing`); never imported by production code. */
export * from './test-node';
export * from './durable-test-client';
export * from './ensemble-harness';
