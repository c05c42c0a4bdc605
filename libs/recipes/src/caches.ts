/**
 * Caches that mirror znodes locally and report changes.
 *
 * NodeCache: one node's data and stat (null while it does not exist), over a re-armed data watch.
 * TreeCache: a whole subtree over one persistent-recursive watch (ZooKeeper 3.6+). Persistent watches
 * get no catch-up events after a reconnect, so the cache reloads the subtree after every reconnect and
 * re-adds the watch after a session loss, reporting only what actually differs.
 */
import { EventEmitter } from 'node:events';
import { isZkError, type ClientState, type Stat, type WatchedEvent } from '@coord/client';
import type { RecipeClient } from './contend';

export interface NodeEntry {
  data: Buffer | null;
  stat: Stat;
}

export class NodeCache extends EventEmitter {
  private entry: NodeEntry | null = null;
  private readonly stop = new AbortController();
  private loop: Promise<void> | null = null;
  private firstLoad: Promise<void> | null = null;

  constructor(
    private readonly client: RecipeClient,
    readonly path: string,
  ) {
    super();
  }

  /** Resolves once the first read is done. Emits 'change' (entry | null) on every later change. */
  start(): Promise<void> {
    if (this.firstLoad) return this.firstLoad;
    this.firstLoad = new Promise<void>((resolve, reject) => {
      let first = true;
      this.loop = (async () => {
        for await (const s of this.client.watchData(this.path, { signal: this.stop.signal })) {
          this.entry = s.stat === null ? null : { data: s.data, stat: s.stat };
          if (first) {
            first = false;
            resolve();
          } else this.emit('change', this.entry);
        }
      })().catch((err) => {
        if (!this.stop.signal.aborted) reject(err);
      });
    });
    return this.firstLoad;
  }

  current(): NodeEntry | null {
    return this.entry;
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.loop;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export type TreeEvent =
  | { type: 'added'; path: string; entry: NodeEntry }
  | { type: 'updated'; path: string; entry: NodeEntry }
  | { type: 'removed'; path: string };

export class TreeCache extends EventEmitter {
  private readonly nodes = new Map<string, NodeEntry>();
  /** Events are applied one at a time, in arrival order. */
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly watcher = (e: WatchedEvent) => {
    if (e.type === 'None' || e.path === null) return;
    const path = e.path;
    if (e.type === 'NodeDeleted') this.enqueue(async () => this.removeSubtree(path));
    else if (e.type === 'NodeCreated' && this.oneShot) this.enqueue(() => this.loadSubtree(path));
    else if (e.type === 'NodeCreated' || e.type === 'NodeDataChanged') this.enqueue(() => this.refresh(path));
    else if (e.type === 'NodeChildrenChanged') this.enqueue(() => this.relist(path));
  };
  /** Without persistent watches (servers before 3.6): a data and a child watch on every node, re-armed. */
  private oneShot: boolean;
  private readonly onState = (s: ClientState) => {
    if (s === 'reconnected') this.enqueue(() => this.reload());
    if (s === 'lost') this.sessionLost = true;
    // A new session has no watches: add ours again, then reload.
    if (s === 'connected' && this.sessionLost) {
      this.sessionLost = false;
      this.enqueue(() => this.watchAndLoad());
    }
  };
  private started = false;
  private sessionLost = false;

  constructor(
    private readonly client: RecipeClient,
    readonly path: string,
    private readonly opts: { onError?: (err: unknown) => void; watchMode?: 'auto' | 'recursive' | 'one-shot' } = {},
  ) {
    super();
    this.oneShot = opts.watchMode === 'one-shot';
  }

  /** 'recursive' (one persistent-recursive watch) or 'one-shot' (a watch per node). */
  get watchMode(): 'recursive' | 'one-shot' {
    return this.oneShot ? 'one-shot' : 'recursive';
  }

  /** Adds the recursive watch and loads the subtree. Emits 'event' (TreeEvent) for each later change. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.client.on('state', this.onState);
    await this.watchAndLoad();
  }

  get(path: string): NodeEntry | undefined {
    return this.nodes.get(path);
  }

  /** Every cached path, sorted. */
  paths(): string[] {
    return [...this.nodes.keys()].sort();
  }

  /** Names of the cached children of `path`. */
  children(path: string): string[] {
    const prefix = path === '/' ? '/' : `${path}/`;
    return this.paths()
      .filter((p) => p.startsWith(prefix) && p !== path && !p.slice(prefix.length).includes('/'))
      .map((p) => p.slice(prefix.length));
  }

  /** Resolves when every event received so far has been applied. */
  settled(): Promise<void> {
    return this.chain;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.off('state', this.onState);
    await this.chain;
    const paths = this.oneShot ? [...this.nodes.keys()] : [this.path];
    await Promise.all(paths.map((p) => this.client.removeWatches(p, 'any', { watcher: this.watcher, local: true }).catch(() => {})));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain
      .then(() => (this.closed ? undefined : step()))
      .catch((err) => this.opts.onError?.(err));
  }

  private async watchAndLoad(): Promise<void> {
    if (!this.oneShot) {
      try {
        await this.client.addWatch(this.path, 'persistent-recursive', this.watcher);
      } catch (err) {
        // A server without addWatch (before 3.6) answers UNIMPLEMENTED: fall back to one-shot watches.
        if (this.opts.watchMode === 'recursive' || !isZkError(err) || !['UNIMPLEMENTED', 'MARSHALLINGERROR'].includes(err.code)) throw err;
        this.oneShot = true;
      }
    }
    await this.reload();
  }

  /** Reads the whole subtree and applies the difference with what is cached. */
  private async reload(): Promise<void> {
    const fresh = new Map<string, NodeEntry>();
    await this.readTree(this.path, fresh);
    for (const path of [...this.nodes.keys()]) if (!fresh.has(path)) this.remove(path);
    for (const [path, entry] of fresh) this.set(path, entry);
  }

  /** In one-shot mode every read re-arms the node's watch. */
  private get watch(): { watch?: (e: WatchedEvent) => void } {
    return this.oneShot ? { watch: this.watcher } : {};
  }

  private async readTree(path: string, into: Map<string, NodeEntry>): Promise<void> {
    try {
      const { data, stat } = await this.client.getData(path, this.watch);
      into.set(path, { data, stat });
      const { children } = await this.client.getChildren(path, this.watch);
      await Promise.all(children.map((c) => this.readTree(childPath(path, c), into)));
    } catch (err) {
      if (!isZkError(err, 'NONODE')) throw err;
      // The root is missing: in one-shot mode, learn about its creation.
      if (this.oneShot && path === this.path) await this.client.exists(path, { watch: this.watcher });
    }
  }

  /** One-shot mode: a node appeared (the root, or a child found by relist) with its subtree. */
  private async loadSubtree(path: string): Promise<void> {
    const fresh = new Map<string, NodeEntry>();
    await this.readTree(path, fresh);
    for (const [p, entry] of fresh) this.set(p, entry);
  }

  /** One-shot mode: the children changed; load the new ones (removed ones report NodeDeleted themselves). */
  private async relist(path: string): Promise<void> {
    try {
      const { children } = await this.client.getChildren(path, this.watch);
      for (const c of children) if (!this.nodes.has(childPath(path, c))) await this.loadSubtree(childPath(path, c));
    } catch (err) {
      if (!isZkError(err, 'NONODE')) throw err;
      this.removeSubtree(path);
    }
  }

  private async refresh(path: string): Promise<void> {
    try {
      const { data, stat } = await this.client.getData(path, this.watch);
      this.set(path, { data, stat });
    } catch (err) {
      if (!isZkError(err, 'NONODE')) throw err;
      this.removeSubtree(path);
    }
  }

  private set(path: string, entry: NodeEntry): void {
    const old = this.nodes.get(path);
    if (old && old.stat.mzxid === entry.stat.mzxid && old.stat.czxid === entry.stat.czxid) return;
    this.nodes.set(path, entry);
    this.emit('event', old ? { type: 'updated', path, entry } : { type: 'added', path, entry });
  }

  private remove(path: string): void {
    if (this.nodes.delete(path)) this.emit('event', { type: 'removed', path });
  }

  private removeSubtree(path: string): void {
    const prefix = `${path}/`;
    for (const p of [...this.nodes.keys()]) if (p.startsWith(prefix)) this.remove(p);
    this.remove(path);
  }
}

function childPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}
