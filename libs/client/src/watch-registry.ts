import type { EventTypeName, Watcher, WatcherTypeName } from './types';

export type WatchKind = 'data' | 'exist' | 'child' | 'persistent' | 'persistentRecursive';

/**
 * The client's watch tables (Java's ZKWatchManager), keyed by client path (chroot stripped).
 * Pure bookkeeping: which watchers an event wakes (§5.5 of the protocol notes), what to re-register
 * with SetWatches after a reconnect, and what removeWatches takes away. The same function registered twice
 * on one path and kind is one watcher.
 */
export class WatchRegistry {
  private readonly tables: Record<WatchKind, Map<string, Set<Watcher>>> = {
    data: new Map(),
    exist: new Map(),
    child: new Map(),
    persistent: new Map(),
    persistentRecursive: new Map(),
  };
  /** Count of persistent + recursive registrations: decides SetWatches vs SetWatches2 and ancestor walks. */
  private recursiveCount = 0;

  add(kind: WatchKind, path: string, watcher: Watcher): void {
    const table = this.tables[kind];
    let set = table.get(path);
    if (!set) table.set(path, (set = new Set()));
    if (kind === 'persistentRecursive' && !set.has(watcher)) this.recursiveCount++;
    set.add(watcher);
  }

  /**
   * The watchers a server notification wakes, removing the one-shot ones it consumes.
   * NodeCreated/NodeDataChanged: data + exist. NodeChildrenChanged: child. NodeDeleted: data + exist + child.
   * Always: persistent watches on the path; recursive ones on the path and its ancestors, except for
   * NodeChildrenChanged (recursive watches never see it).
   */
  materialize(type: EventTypeName, path: string): Watcher[] {
    const out = new Set<Watcher>();
    switch (type) {
      case 'NodeCreated':
      case 'NodeDataChanged':
        this.take('data', path, out);
        this.take('exist', path, out);
        break;
      case 'NodeChildrenChanged':
        this.take('child', path, out);
        break;
      case 'NodeDeleted':
        this.take('data', path, out);
        this.take('exist', path, out);
        this.take('child', path, out);
        break;
      default:
        break;
    }
    const persistent = this.tables.persistent.get(path);
    if (persistent) for (const w of persistent) out.add(w);
    if (this.recursiveCount > 0 && type !== 'NodeChildrenChanged') {
      for (let p: string | null = path; p !== null; p = parentOf(p)) {
        const rec = this.tables.persistentRecursive.get(p);
        if (rec) for (const w of rec) out.add(w);
      }
    }
    return [...out];
  }

  /** Moves the one-shot watchers of `kind` on `path` into `out` (they fire once). */
  private take(kind: WatchKind, path: string, out: Set<Watcher>): void {
    const table = this.tables[kind];
    const set = table.get(path);
    if (!set) return;
    table.delete(path);
    for (const w of set) out.add(w);
  }

  /** Every registered watcher (state events go to all of them, as in the Java client). */
  all(): Watcher[] {
    const out = new Set<Watcher>();
    for (const table of Object.values(this.tables)) for (const set of table.values()) for (const w of set) out.add(w);
    return [...out];
  }

  paths(kind: WatchKind): string[] {
    return [...this.tables[kind].keys()];
  }

  hasPersistent(): boolean {
    return this.tables.persistent.size > 0 || this.tables.persistentRecursive.size > 0;
  }

  isEmpty(): boolean {
    return Object.values(this.tables).every((t) => t.size === 0);
  }

  clear(): void {
    for (const table of Object.values(this.tables)) table.clear();
    this.recursiveCount = 0;
  }

  /** Whether removeWatches(path, type, watcher) would remove anything. */
  contains(path: string, type: WatcherTypeName, watcher?: Watcher): boolean {
    return kindsFor(type).some(([kind]) => {
      const set = this.tables[kind].get(path);
      return set !== undefined && (watcher === undefined ? set.size > 0 : set.has(watcher));
    });
  }

  /**
   * Removes the matching watchers (all of them, or just `watcher`) and returns each with the
   * client-generated event type it must receive (DataWatchRemoved, ChildWatchRemoved, PersistentWatchRemoved).
   */
  remove(path: string, type: WatcherTypeName, watcher?: Watcher): { watcher: Watcher; event: EventTypeName }[] {
    const removed: { watcher: Watcher; event: EventTypeName }[] = [];
    for (const [kind, event] of kindsFor(type)) {
      const table = this.tables[kind];
      const set = table.get(path);
      if (!set) continue;
      const victims = watcher === undefined ? [...set] : set.has(watcher) ? [watcher] : [];
      for (const w of victims) {
        set.delete(w);
        if (kind === 'persistentRecursive') this.recursiveCount--;
        if (!removed.some((r) => r.watcher === w && r.event === event)) removed.push({ watcher: w, event });
      }
      if (set.size === 0) table.delete(path);
    }
    return removed;
  }
}

function kindsFor(type: WatcherTypeName): [WatchKind, EventTypeName][] {
  switch (type) {
    case 'data':
      return [
        ['data', 'DataWatchRemoved'],
        ['exist', 'DataWatchRemoved'],
      ];
    case 'children':
      return [['child', 'ChildWatchRemoved']];
    case 'persistent':
      return [['persistent', 'PersistentWatchRemoved']];
    case 'persistent-recursive':
      return [['persistentRecursive', 'PersistentWatchRemoved']];
    case 'any':
      return [
        ['data', 'DataWatchRemoved'],
        ['exist', 'DataWatchRemoved'],
        ['child', 'ChildWatchRemoved'],
        ['persistent', 'PersistentWatchRemoved'],
        ['persistentRecursive', 'PersistentWatchRemoved'],
      ];
  }
}

/** '/a/b' -> '/a', '/a' -> '/', '/' -> null. */
export function parentOf(path: string): string | null {
  if (path === '/') return null;
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}
