import type { ACL, ErrorCodeName, Stat } from '@coord/protocol';

export type { ACL, Id, Stat } from '@coord/protocol';

/** Connection states as Curator names them (see docs/client-api.md). */
export type ClientState = 'connecting' | 'connected' | 'suspended' | 'reconnected' | 'lost' | 'closed' | 'read-only';

export type EventTypeName =
  | 'None'
  | 'NodeCreated'
  | 'NodeDeleted'
  | 'NodeDataChanged'
  | 'NodeChildrenChanged'
  | 'DataWatchRemoved'
  | 'ChildWatchRemoved'
  | 'PersistentWatchRemoved';

export type KeeperStateName = 'SyncConnected' | 'Disconnected' | 'Expired' | 'AuthFailed' | 'SaslAuthenticated' | 'ConnectedReadOnly' | 'Closed';

export interface WatchedEvent {
  type: EventTypeName;
  state: KeeperStateName;
  /** Chroot stripped; null for state events. */
  path: string | null;
  /** The zxid of the triggering txn (3.9 servers), or -1 when unknown (3.8 servers, catch-up and state events). */
  zxid: number;
}

export type Watcher = (event: WatchedEvent) => void;

export type CreateMode =
  | 'persistent'
  | 'ephemeral'
  | 'persistent-sequential'
  | 'ephemeral-sequential'
  | 'container'
  | 'persistent-ttl'
  | 'persistent-sequential-ttl';

export type AddWatchModeName = 'persistent' | 'persistent-recursive';
export type WatcherTypeName = 'children' | 'data' | 'any' | 'persistent' | 'persistent-recursive';

/** Every call accepts these last. */
export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface CreateOptions extends CallOptions {
  mode?: CreateMode;
  acl?: ACL[];
  ttlMs?: number;
}

export interface WatchOptions extends CallOptions {
  watch?: Watcher;
}

export interface VersionOptions extends CallOptions {
  version?: number;
}

export interface RemoveWatchesOptions extends CallOptions {
  local?: boolean;
  watcher?: Watcher;
}

export type Data = Buffer | string | null | undefined;

/** One op's outcome in a transaction (multi). */
export type OpResult =
  | { type: 'create'; path: string; stat: Stat | null }
  | { type: 'delete' }
  | { type: 'setData'; stat: Stat }
  | { type: 'check' }
  | { type: 'error'; code: ErrorCodeName; zkCode: number };

export type ReadOp = { op: 'getData'; path: string } | { op: 'getChildren'; path: string };
export type ReadResult = { data: Buffer | null; stat: Stat } | { children: string[] };

export interface Logger {
  debug(msg: string, ...args: unknown[]): void;
  info(msg: string, ...args: unknown[]): void;
  warn(msg: string, ...args: unknown[]): void;
  error(msg: string, ...args: unknown[]): void;
}

export interface ClientOptions {
  /** Requested session timeout; the server clamps it to [2, 20] x tickTime. */
  sessionTimeoutMs?: number;
  /** connect() rejects with ConnectTimeoutError when no session is established within this time. */
  connectTimeoutMs?: number;
  /** canBeReadOnly: accept a read-only server (state 'read-only'). */
  readOnly?: boolean;
  logger?: Logger;
  /** Random source in [0, 1) for shuffling hosts and jittering backoff; Math.random by default. */
  random?: () => number;
  /** Shuffle the host list (default true). */
  shuffleHosts?: boolean;
  /** Default timeout for calls that give none (ms); undefined = wait until the session is lost or closed. */
  requestTimeoutMs?: number;
  /** close() waits at most this long for the closeSession reply. */
  closeTimeoutMs?: number;
  /** Stored credentials sent on every connection (like addAuth before connect). */
  auth?: { scheme: string; auth: string | Buffer }[];
  /** jute.maxbuffer for incoming frames. */
  frameBytesMax?: number;
  /**
   * Connect with TLS (the server's secureClientPort): Node TLS options such as `ca`, `key`/`cert` or
   * `pfx` (tlsStoreOptions reads ZooKeeper's zookeeper.ssl.* stores into them). The server's
   * certificate is verified against `ca` and the host name, as the Java client does.
   */
  tls?: import('node:tls').ConnectionOptions;
  /**
   * SASL DIGEST-MD5 on every connection before any request, as the Java client does with a JAAS
   * `Client` section (DigestLoginModule username/password). The server adds Id("sasl", username).
   */
  sasl?: { mechanism?: 'DIGEST-MD5'; username: string; password: string };
}
