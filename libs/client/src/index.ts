export { ZkClient, createClient, Ids, type ZkClientEvents } from './client';
export { Transaction } from './transaction';
export {
  ZkError,
  NoNodeError,
  NodeExistsError,
  BadVersionError,
  NotEmptyError,
  NoAuthError,
  SessionExpiredError,
  ConnectionLossError,
  OperationTimeoutError,
  ConnectTimeoutError,
  zkError,
  isZkError,
  errorCodeName,
  isRetryableCode,
} from './errors';
export { withRetry, exponentialBackoff, fixedDelay, isRetryable, sleep, type RetryPolicy, type BackoffOptions } from './retry';
export { parseConnectString, shuffle, prependChroot, stripChroot, type ConnectString, type HostAddress } from './connect-string';
export { WatchRegistry, parentOf, type WatchKind } from './watch-registry';
export type { ChildrenSnapshot, DataSnapshot } from './watch-iterators';
export * from './types';
export { Perms, CreateFlag, type ErrorCodeName, type ClientInfo } from '@coord/protocol';
export { tlsStoreOptions, rfc2253Subject, storeTypeOf, TlsStoreError, type StoreSettings, type StoreType } from './tls-stores';
export { parseJaas, digestUsers, digestCredentials, digestLoginModule, jvmProperties, JaasError, type JaasConfig, type JaasEntry } from './jaas';
