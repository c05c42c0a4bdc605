export * from './decisions';
export {
  AcquireTimeoutError,
  contend,
  protectedCreate,
  ensurePath,
  deleteQuietly,
  lossSignal,
  type RecipeClient,
  type ContentionStats,
  type OwnNode,
} from './contend';
export { Mutex, ReadWriteLock, Semaphore, type LockHandle, type AcquireOptions } from './lock';
export { LeaderLatch, LeaderSelector } from './election';
export {
  ServiceRegistry,
  ServiceDiscovery,
  ServiceCache,
  ServiceProvider,
  makeInstance,
  parseInstance,
  servicesPathDefault,
  type ServiceInstance,
  type InstanceSpec,
  type PickStrategy,
} from './discovery';
export { GroupMember, parseMember, readMembers, watchMembers, memberPrefixDefault, type Member } from './membership';
export { Barrier, DoubleBarrier } from './barrier';
export { NodeCache, TreeCache, type NodeEntry, type TreeEvent } from './caches';
