/**
 * The coordination node that programs embed or launch: the client port, the standalone and ensemble
 * role drivers, the durable store, the operator surface, zoo.cfg and four-letter words. The command
 * line that starts it is apps/coord-node; test helpers are under `@coord/node/testing`.
 */
export * from './node';
export * from './ops';
export { addNodeFlags, flagValues, type FlagValues } from './ops/argv';
export { openDurable, StorageError } from './durable-node';
export { runEnsembleMember } from './ensemble/run-member';
export * from './ensemble/local-ensemble';
export { stopOnSignals } from './shutdown';
