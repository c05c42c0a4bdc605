/**
 * The part of `@coord/client` (docs/client-api.md) the shell uses. The shell depends on this interface,
 * not on the library, so tests can run it in-process against any implementation and main.ts wires the real
 * client in one place.
 */
import type { ACL, Stat } from '@coord/protocol';
// Type-only: the names the library uses, with no runtime dependency on it.
import type { ClientState, CreateMode } from '@coord/client';

export type { ACL, Stat };

export type { ClientState };

export interface CliWatchedEvent {
  type: string;
  state: string;
  path: string | null;
  zxid: number;
}

export type CliWatcher = (event: CliWatchedEvent) => void;

export type CliCreateMode = CreateMode;

export type CliWatcherType = 'children' | 'data' | 'any' | 'persistent' | 'persistent-recursive';

export interface CliTransaction {
  delete(path: string, version?: number): CliTransaction;
  commit(): Promise<unknown[]>;
}

export interface CliClient {
  readonly state: ClientState;
  on(event: 'state', listener: (state: ClientState) => void): unknown;
  /** Session events with no state of their own (SaslAuthenticated, AuthFailed) arrive here as None events. */
  on(event: 'event', listener: (event: CliWatchedEvent) => void): unknown;
  connect(opts?: { timeoutMs?: number }): Promise<void>;
  create(
    path: string,
    data: Buffer | null,
    opts: { mode?: CliCreateMode; acl?: ACL[]; ttlMs?: number },
  ): Promise<{ path: string; stat?: Stat | null }>;
  delete(path: string, opts?: { version?: number }): Promise<void>;
  exists(path: string, opts?: { watch?: CliWatcher }): Promise<Stat | null>;
  getData(path: string, opts?: { watch?: CliWatcher }): Promise<{ data: Buffer | null; stat: Stat }>;
  setData(path: string, data: Buffer | null, opts?: { version?: number }): Promise<Stat>;
  getChildren(path: string, opts?: { watch?: CliWatcher }): Promise<{ children: string[]; stat: Stat }>;
  getACL(path: string): Promise<{ acl: ACL[]; stat: Stat }>;
  setACL(path: string, acl: ACL[], opts?: { version?: number }): Promise<Stat>;
  sync(path: string): Promise<unknown>;
  transaction(): CliTransaction;
  addWatch(path: string, mode: 'persistent' | 'persistent-recursive', watcher: CliWatcher): Promise<void>;
  removeWatches(path: string, watcherType: CliWatcherType, opts?: { local?: boolean; watcher?: CliWatcher }): Promise<void>;
  getEphemerals(prefix?: string): Promise<string[]>;
  getAllChildrenNumber(path: string): Promise<number>;
  whoAmI(): Promise<{ authScheme: string; user: string }[]>;
  addAuth(scheme: string, auth: string | Buffer): Promise<void>;
  close(): Promise<void>;
}

export interface ClientSettings {
  sessionTimeoutMs: number;
  readOnly: boolean;
}

/** Makes a client for a connect string (`host:port[,...][/chroot]`) without connecting it. */
export type ClientFactory = (connectString: string, settings: ClientSettings) => CliClient;
