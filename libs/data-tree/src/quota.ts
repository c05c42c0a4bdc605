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

/**
 * StatsTrack: `key=value` pairs split on `,` or `;` (`count=4,bytes=5=;countHardLimit=10`), as the
 * limits node holds them; a missing or empty value is -1 (no limit).
 */
export function parseStatsTrack(text: string): { count: number; bytes: number; countHardLimit: number; byteHardLimit: number } {
  const out = { count: -1, bytes: -1, countHardLimit: -1, byteHardLimit: -1 };
  for (const pair of text.split(/[,;]+/)) {
    const [key, value] = pair.split('=');
    if (!(key in out) || value === undefined) continue;
    const n = value === '' ? -1 : Number(value);
    if (Number.isFinite(n)) out[key as keyof typeof out] = n;
  }
  return out;
}

export function formatQuotaStats(count: number, bytes: number): string {
  return `count=${count},bytes=${bytes}`;
}

/** What the tracker needs from the tree: reads, and writing a stats node's data in place. */
export interface QuotaHost {
  getNode(path: string): { readonly dataLength: number; readonly data: Buffer | null } | undefined;
  childNames(path: string): string[];
  /** Replaces the data without touching version or mzxid (and keeps approximateDataSize right). */
  writeDataInPlace(path: string, data: Buffer): void;
}

/**
 * The set of paths that carry a quota (with ZooKeeper's longest-prefix lookup) and the upkeep of
 * their stats nodes.
 */
export class QuotaTracker {
  private readonly paths = new Set<string>();

  constructor(private readonly host: QuotaHost) {}

  /** A child of /zookeeper/quota<path> was created: a limits node starts a quota, a stats node gets counted. */
  onQuotaNodeCreated(quotaParent: string, name: string): void {
    if (name === quotaLimitNode) this.add(quotaTarget(quotaParent));
    if (name === quotaStatNode) this.recount(quotaTarget(quotaParent));
  }

  /** DataTree.updateQuotaForPath: recounts the subtree and writes the stats node. */
  recount(path: string): void {
    let count = 0;
    let bytes = 0;
    const stack = this.host.getNode(path) ? [path] : [];
    while (stack.length > 0) {
      const p = stack.pop() as string;
      const n = this.host.getNode(p);
      if (!n) continue;
      count++;
      bytes += n.dataLength;
      for (const name of this.host.childNames(p)) stack.push(p === '/' ? '/' + name : p + '/' + name);
    }
    this.write(path, count, bytes);
  }

  /** DataTree.updateCountBytes: adjusts the stats of the closest quota at or above `path`. */
  update(path: string, bytesDiff: number, countDiff: number): void {
    const prefix = this.maxPrefix(path);
    if (prefix === null) return;
    const statsNode = this.host.getNode(`${quotaRoot}${prefix}/${quotaStatNode}`);
    if (!statsNode) return;
    const current = parseQuotaStats((statsNode.data ?? Buffer.alloc(0)).toString('utf8'));
    this.write(prefix, current.count + countDiff, current.bytes + bytesDiff);
  }

  private write(path: string, count: number, bytes: number): void {
    const statsPath = `${quotaRoot}${path}/${quotaStatNode}`;
    if (!this.host.getNode(statsPath)) return;
    this.host.writeDataInPlace(statsPath, Buffer.from(formatQuotaStats(count, bytes), 'utf8'));
  }

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
