/** The client's test helpers (`@coord/client/testing`): client pools, a fault-injecting proxy, the servers a suite runs against. */
export * from './helpers';
export * from './proxy';
export * from './servers';
