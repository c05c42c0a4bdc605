/**
 * One watch table (ZooKeeper keeps two: data and child). Each (path, watcher) pair holds a bit set
 * of modes, because one connection may hold a one-shot and a persistent watch on the same path.
 */

export const WatchMode = { STANDARD: 1, PERSISTENT: 2, PERSISTENT_RECURSIVE: 4 } as const;
export const watchModesAll = 7;

export class WatchTable {
  private readonly byPath = new Map<string, Map<number, number>>();
  private readonly byWatcher = new Map<number, Set<string>>();
  /** Ancestors are visited on trigger only while some recursive watch exists. */
  private recursiveCount = 0;

  add(path: string, watcher: number, mode: number): void {
    let watchers = this.byPath.get(path);
    if (!watchers) {
      watchers = new Map();
      this.byPath.set(path, watchers);
    }
    const before = watchers.get(watcher) ?? 0;
    if (mode === WatchMode.PERSISTENT_RECURSIVE && (before & mode) === 0) this.recursiveCount++;
    watchers.set(watcher, before | mode);
    let paths = this.byWatcher.get(watcher);
    if (!paths) {
      paths = new Set();
      this.byWatcher.set(watcher, paths);
    }
    paths.add(path);
  }

  /** Paths on which `watcher` holds a watch in this table. */
  countOf(watcher: number): number {
    return this.byWatcher.get(watcher)?.size ?? 0;
  }

  /** True when `watcher` holds any of `modes` on `path`. */
  has(path: string, watcher: number, modes: number): boolean {
    return ((this.byPath.get(path)?.get(watcher) ?? 0) & modes) !== 0;
  }

  /** Clears `modes` for (path, watcher); true when something was removed. */
  remove(path: string, watcher: number, modes: number): boolean {
    const watchers = this.byPath.get(path);
    const bits = watchers?.get(watcher) ?? 0;
    if ((bits & modes) === 0 || !watchers) return false;
    this.setBits(path, watchers, watcher, bits, bits & ~modes);
    return true;
  }

  /**
   * Drops every watch of a connection (on disconnect). The connection's own path set goes as a whole,
   * so each watch costs one lookup and one delete (10,000 connections closing at once hold a million).
   */
  removeWatcher(watcher: number): void {
    const paths = this.byWatcher.get(watcher);
    if (!paths) return;
    this.byWatcher.delete(watcher);
    for (const path of paths) {
      const watchers = this.byPath.get(path);
      if (!watchers) continue;
      if (((watchers.get(watcher) ?? 0) & WatchMode.PERSISTENT_RECURSIVE) !== 0) this.recursiveCount--;
      watchers.delete(watcher);
      if (watchers.size === 0) this.byPath.delete(path);
    }
  }

  /**
   * WatchManager.triggerWatch: collects the watchers to notify for an event on `path`, consuming
   * one-shot watches at the path itself. At ancestors only recursive watches fire. A watcher appears
   * at most once in the result, in first-seen order.
   */
  trigger(path: string): Set<number> | null {
    let result: Set<number> | null = null;
    let local = path;
    for (;;) {
      const watchers = this.byPath.get(local);
      if (watchers) {
        const atPath = local === path;
        for (const [watcher, bits] of watchers) {
          if (atPath) {
            (result ??= new Set()).add(watcher);
            if (bits & WatchMode.STANDARD) this.setBits(local, watchers, watcher, bits, bits & ~WatchMode.STANDARD);
          } else if (bits & WatchMode.PERSISTENT_RECURSIVE) {
            (result ??= new Set()).add(watcher);
          }
        }
      }
      if (this.recursiveCount === 0 || local === '/') break;
      const slash = local.lastIndexOf('/');
      local = slash <= 0 ? '/' : local.substring(0, slash);
    }
    return result;
  }

  private setBits(path: string, watchers: Map<number, number>, watcher: number, before: number, after: number): void {
    if ((before & WatchMode.PERSISTENT_RECURSIVE) !== 0 && (after & WatchMode.PERSISTENT_RECURSIVE) === 0) {
      this.recursiveCount--;
    }
    if (after !== 0) {
      watchers.set(watcher, after);
      return;
    }
    watchers.delete(watcher);
    if (watchers.size === 0) this.byPath.delete(path);
    const paths = this.byWatcher.get(watcher);
    if (paths) {
      paths.delete(path);
      if (paths.size === 0) this.byWatcher.delete(watcher);
    }
  }

  /** Number of (path, watcher) pairs. */
  get size(): number {
    let n = 0;
    for (const watchers of this.byPath.values()) n += watchers.size;
    return n;
  }

  /** path -> watcher ids (for wchp). */
  byPathSnapshot(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const [path, watchers] of this.byPath) out.set(path, [...watchers.keys()]);
    return out;
  }

  /** watcher id -> paths (for wchc). */
  byWatcherSnapshot(): Map<number, string[]> {
    const out = new Map<number, string[]>();
    for (const [watcher, paths] of this.byWatcher) out.set(watcher, [...paths]);
    return out;
  }
}
