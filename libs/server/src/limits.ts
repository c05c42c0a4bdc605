/**
 * Limits that keep one client from exhausting the node: ZooKeeper's enforced quotas (enforceQuota,
 * hard limits under /zookeeper/quota) and Coordinode's per-session caps on ephemerals, watches and
 * requests in flight. Pure checks over the tree; the caller refuses the request and counts it.
 */
import { DataTree, parseStatsTrack, quotaLimitNode, quotaRoot, quotaStatNode } from '@coord/data-tree';

/** What a refusal is counted as (ServerStats.limitsRefused). */
export type LimitKind = 'quota' | 'ephemerals' | 'watches' | 'outstanding';

export interface PrepLimits {
  enforceQuota: boolean;
  /** 0 = unlimited. */
  sessionEphemeralsMax: number;
  /** Called once per refused request with a log line. */
  onRefused(kind: LimitKind, message: string): void;
}

/**
 * ZooKeeperServer.checkQuota: the closest quota at or above `path`; a hard limit the change would pass
 * refuses it (returns the message), a soft one only reports it (`onSoft`). Reads the committed tree, as
 * ZooKeeper does.
 */
export function quotaExceeded(tree: DataTree, path: string, bytesDiff: number, countDiff: number, onSoft?: (message: string) => void): string | null {
  const prefix = tree.quotaPrefixOf(path);
  if (prefix === null) return null;
  const limitNode = tree.getNode(`${quotaRoot}${prefix}/${quotaLimitNode}`);
  const statNode = tree.getNode(`${quotaRoot}${prefix}/${quotaStatNode}`);
  if (!limitNode || !statNode) return null;
  const limits = parseStatsTrack((limitNode.data ?? Buffer.alloc(0)).toString('utf8'));
  const current = parseStatsTrack((statNode.data ?? Buffer.alloc(0)).toString('utf8'));
  const checks = [
    { diff: countDiff, now: current.count, hard: limits.countHardLimit, soft: limits.count, name: 'count', limitName: 'CountLimit' },
    { diff: bytesDiff, now: current.bytes, hard: limits.byteHardLimit, soft: limits.bytes, name: 'bytes', limitName: 'ByteLimit' },
  ];
  for (const c of checks) {
    if (c.diff === 0 || (c.hard < 0 && c.soft < 0)) continue;
    const next = c.now + c.diff;
    const isHard = c.hard > -1;
    const limit = isHard ? c.hard : c.soft;
    if (next <= limit) continue;
    const message = `Quota exceeded: ${prefix} [current ${c.name}=${next}, ${isHard ? 'hard' : 'soft'}${c.limitName}=${limit}]`;
    if (isHard) return message;
    onSoft?.(message);
  }
  return null;
}
