/**
 * Quota bookkeeping as ZooKeeper's DataTree does it. `setquota` (client side) creates
 * /zookeeper/quota<path>/zookeeper_limits and .../zookeeper_stats as ordinary znodes; the server
 * then keeps the stats node's data (`count=N,bytes=M`, the subtree's node count and data bytes) up to
 * date on every create, delete and setData below <path>, writing the data in place (no version or
 * mzxid change). Limits are never enforced here (zookeeper.enforceQuota is off by default).
 */

export const quotaRoot = '/zookeeper/quota';
export const quotaLimitNode = 'zookeeper_limits';
export const quotaStatNode = 'zookeeper_stats';

/** `/zookeeper/quota/a/b` -> `/a/b`, the path the quota applies to. */
export function quotaTarget(quotaParentPath: string): string {
  return quotaParentPath.substring(quotaRoot.length);
}

export function isUnderQuotaRoot(path: string): boolean {
  return path.startsWith(quotaRoot + '/');
}

/** Parses `count=N,bytes=M` (unknown keys ignored; missing values are 0). */
export function parseQuotaStats(text: string): { count: number; bytes: number } {
  const out = { count: 0, bytes: 0 };
  for (const part of text.split(',')) {
    const [key, value] = part.split('=');
    if (key === 'count' || key === 'bytes') out[key] = Number(value) || 0;
  }
  return out;
}

export function formatQuotaStats(count: number, bytes: number): string {
  return `count=${count},bytes=${bytes}`;
}

/** The set of paths that carry a quota, with ZooKeeper's longest-prefix lookup. */
export class QuotaIndex {
  private readonly paths = new Set<string>();

  add(path: string): void {
    this.paths.add(path);
  }

  delete(path: string): void {
    this.paths.delete(path);
  }

  get size(): number {
    return this.paths.size;
  }

  /** The longest quota path that is `path` or one of its ancestors (never `/zookeeper` or `/`). */
  maxPrefix(path: string): string | null {
    if (this.paths.size === 0) return null;
    let p = path;
    for (;;) {
      if (this.paths.has(p) && p !== '/zookeeper' && p !== '/') return p;
      const slash = p.lastIndexOf('/');
      if (slash <= 0) return null;
      p = p.substring(0, slash);
    }
  }
}
