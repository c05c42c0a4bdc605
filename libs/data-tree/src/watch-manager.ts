/**
 * One watch table (ZooKeeper keeps two: data and child). Each (path, watcher) pair holds a bit set
 * of modes, because one connection may hold a one-shot and a persistent watch on the same path.
 */

export const WatchMode = { STANDARD: 1, PERSISTENT: 2, PERSISTENT_RECURSIVE: 4 } as const;
export const watchModesAll = 7;

/** A connection's watches in one table, and the mark a trigger leaves on it (one notification per event). */
interface WatcherEntry {
  readonly id: number;
  readonly paths: Set<string>;
  /** The last trigger that collected this watcher. */
  mark: number;
}

export class WatchTable {
  private readonly byPath = new Map<string, Map<number, number>>();
  private readonly byWatcher = new Map<number, WatcherEntry>();
  /**
   * The watchers holding a persistent-recursive watch on each path (also in byPath's bits): an event's
   * ancestors are walked through these only, and a watcher already collected is told by its mark, not
   * by a lookup. 10,000 connections with recursive watches on the 9 ancestors of a set znode cost
   * 90,000 field reads, not 90,000 set insertions.
   */
  private readonly recursiveByPath = new Map<string, Set<WatcherEntry>>();
  /** Ancestors are visited on trigger only while some recursive watch exists. */
  private recursiveCount = 0;
  private triggers = 0;

  add(path: string, watcher: number, mode: number): void {
    let watchers = this.byPath.get(path);
    if (!watchers) {
      watchers = new Map();
      this.byPath.set(path, watchers);
    }
    let entry = this.byWatcher.get(watcher);
    if (!entry) {
      entry = { id: watcher, paths: new Set(), mark: 0 };
      this.byWatcher.set(watcher, entry);
    }
    const before = watchers.get(watcher) ?? 0;
    if (mode === WatchMode.PERSISTENT_RECURSIVE && (before & mode) === 0) this.addRecursive(path, entry);
    watchers.set(watcher, before | mode);
    entry.paths.add(path);
  }

  /** Paths on which `watcher` holds a watch in this table. */
  countOf(watcher: number): number {
    return this.byWatcher.get(watcher)?.paths.size ?? 0;
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
    const entry = this.byWatcher.get(watcher);
    if (!entry) return;
    this.byWatcher.delete(watcher);
    for (const path of entry.paths) {
      const watchers = this.byPath.get(path);
      if (!watchers) continue;
      if (((watchers.get(watcher) ?? 0) & WatchMode.PERSISTENT_RECURSIVE) !== 0) this.deleteRecursive(path, entry);
      watchers.delete(watcher);
      if (watchers.size === 0) this.byPath.delete(path);
    }
  }

  /**
   * WatchManager.triggerWatch: collects the watchers to notify for an event on `path`, consuming
   * one-shot watches at the path itself. At ancestors only recursive watches fire. A watcher appears
   * at most once in the result: first those at the path (in the order they first watched it), then
   * the recursive ones of each ancestor, nearest first.
   */
  trigger(path: string): number[] | null {
    const mark = ++this.triggers;
    const result: number[] = [];
    const watchers = this.byPath.get(path);
    if (watchers) {
      // One-shot-only pairs are dropped after the walk: all of them with the path's map when nothing else stays.
      let consumed: number[] | null = null;
      for (const [watcher, bits] of watchers) {
        const entry = this.byWatcher.get(watcher) as WatcherEntry;
        entry.mark = mark;
        result.push(watcher);
        if ((bits & WatchMode.STANDARD) === 0) continue;
        if (bits !== WatchMode.STANDARD) {
          watchers.set(watcher, bits & ~WatchMode.STANDARD);
          continue;
        }
        (consumed ??= []).push(watcher);
        entry.paths.delete(path);
        if (entry.paths.size === 0) this.byWatcher.delete(watcher);
      }
      if (consumed !== null) {
        if (consumed.length === watchers.size) this.byPath.delete(path);
        else for (const watcher of consumed) watchers.delete(watcher);
      }
    }
    if (this.recursiveCount > 0 && path !== '/') {
      let local = path;
      do {
        const slash = local.lastIndexOf('/');
        local = slash <= 0 ? '/' : local.substring(0, slash);
        const recursive = this.recursiveByPath.get(local);
        if (!recursive) continue;
        for (const entry of recursive) {
          if (entry.mark === mark) continue;
          entry.mark = mark;
          result.push(entry.id);
        }
      } while (local !== '/');
    }
    return result.length > 0 ? result : null;
  }

  private addRecursive(path: string, entry: WatcherEntry): void {
    let set = this.recursiveByPath.get(path);
    if (!set) {
      set = new Set();
      this.recursiveByPath.set(path, set);
    }
    set.add(entry);
    this.recursiveCount++;
  }

  private deleteRecursive(path: string, entry: WatcherEntry): void {
    const set = this.recursiveByPath.get(path);
    if (!set?.delete(entry)) return;
    this.recursiveCount--;
    if (set.size === 0) this.recursiveByPath.delete(path);
  }

  private setBits(path: string, watchers: Map<number, number>, watcher: number, before: number, after: number): void {
    const entry = this.byWatcher.get(watcher) as WatcherEntry;
    if ((before & WatchMode.PERSISTENT_RECURSIVE) !== 0 && (after & WatchMode.PERSISTENT_RECURSIVE) === 0) {
      this.deleteRecursive(path, entry);
    }
    if (after !== 0) {
      watchers.set(watcher, after);
      return;
    }
    watchers.delete(watcher);
    if (watchers.size === 0) this.byPath.delete(path);
    entry.paths.delete(path);
    if (entry.paths.size === 0) this.byWatcher.delete(watcher);
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
    for (const [watcher, entry] of this.byWatcher) out.set(watcher, [...entry.paths]);
    return out;
  }
}
