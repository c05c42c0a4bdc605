// @coord/consensus-lab: Paxos, Multi-Paxos and Byzantine generals on a seeded, simulated network,
// for the workshop. Pure: no I/O, no clock, no Math.random.
export * from './rng';
export * from './trace';
export * from './sim';
export * from './ballot';
export * from './scripted-network';
export * from './paxos-messages';
export { Acceptor, Proposer } from './paxos-roles';
export type { ProposerSettings, RoleContext } from './paxos-roles';
export * from './paxos';
export * from './paxos-scenarios';
export * from './paxos-safety';
export * from './multi-paxos';
export * from './byzantine';
export * from './byzantine-scenarios';
export * from './scenarios';
export * from './narrate';
export * from './diagram';
export * from './xml-check';
