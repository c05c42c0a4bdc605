/**
 * What the web console shows, read from the member's committed state: a znode (stat, ACL, data,
 * children), the sessions with their ephemerals and watches, the recipes' lock queues and elections,
 * and a service registry. Pure functions over the tree and the stats snapshot; no I/O, no clock (the
 * caller passes `now`). Nothing here returns a session password or a digest hash.
 */
import { checkAcl, maskDigests, pathError, type DataTree, type ZNode } from '@coord/data-tree';
import { Perms } from '@coord/protocol';
import { contenders, electionKinds, kindOf, lockKinds, sequenceOf } from '@coord/recipes';
import type { ServerStats } from '@coord/server';
import { hexId } from './events';

/** Children listed per request (the console pages beyond it). */
export const childrenPageMax = 500;
/** Data bytes sent to the browser for one znode. */
export const dataBytesShownMax = 64 * 1024;
/** Lock queues and elections reported at most, and contenders listed per queue. */
export const queuesMax = 100;
export const queueMembersMax = 200;

export class ConsoleInputError extends Error {}

export function checkPath(path: unknown): string {
  if (typeof path !== 'string' || path === '') throw new ConsoleInputError('missing path');
  const err = pathError(path);
  if (err) throw new ConsoleInputError(`invalid path ${JSON.stringify(path.slice(0, 200))}: ${err}`);
  return path;
}

function statOf(node: ZNode) {
  const s = node.stat();
  return {
    czxid: `0x${s.czxid.toString(16)}`,
    mzxid: `0x${s.mzxid.toString(16)}`,
    pzxid: `0x${s.pzxid.toString(16)}`,
    ctime: s.ctime,
    mtime: s.mtime,
    version: s.version,
    cversion: s.cversion,
    aversion: s.aversion,
    ephemeralOwner: hexId(s.ephemeralOwner),
    dataLength: s.dataLength,
    numChildren: s.numChildren,
  };
}

/** One znode for the tree browser: `readable` is false when world:anyone may not READ it (its data is then withheld). */
export function describeNode(tree: DataTree, path: string, offset = 0, privileged = false) {
  const node = tree.getNode(path);
  if (!node) return null;
  const acl = tree.aclOf(node);
  const readable = privileged || checkAcl(acl, Perms.READ, [{ scheme: 'world', id: 'anyone' }]);
  const data = readable ? node.data : null;
  const names = tree.childrenOf(node).sort();
  const start = Math.max(0, Math.min(offset, names.length));
  return {
    path,
    stat: statOf(node),
    acl: maskDigests(acl).map((a) => ({ perms: permsText(a.perms), scheme: a.id.scheme, id: a.id.id })),
    readable,
    data: data === null ? null : data.subarray(0, dataBytesShownMax).toString('base64'),
    dataTruncated: data !== null && data.length > dataBytesShownMax,
    children: names.slice(start, start + childrenPageMax),
    childrenOffset: start,
    childrenTotal: names.length,
  };
}

function permsText(perms: number): string {
  const letters: [number, string][] = [[Perms.CREATE, 'c'], [Perms.DELETE, 'd'], [Perms.READ, 'r'], [Perms.WRITE, 'w'], [Perms.ADMIN, 'a']];
  return letters.map(([bit, l]) => (perms & bit ? l : '')).join('');
}

/** Sessions with their connection, ephemerals and watched paths. */
export function describeSessions(stats: ServerStats, timeouts: Map<bigint, number>) {
  const expiresAt = new Map<bigint, number>();
  for (const b of stats.sessionBuckets) for (const sid of b.members) expiresAt.set(sid, b.expiresAt);
  const connOf = new Map<bigint, string>();
  for (const c of stats.connections) if (c.sessionId) connOf.set(c.sessionId, `${c.remoteAddress.replace(/^::ffff:/, '')}:${c.remotePort}`);
  const ids = new Set<bigint>([...timeouts.keys(), ...stats.ephemerals.keys()]);
  return [...ids]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((sid) => ({
      sessionId: hexId(sid),
      timeoutMs: timeouts.get(sid) ?? null,
      expiresAt: expiresAt.get(sid) ?? null,
      connection: connOf.get(sid) ?? null,
      ephemerals: stats.ephemerals.get(sid) ?? [],
      watches: stats.watches.bySession.get(sid) ?? [],
    }));
}


export interface QueueView {
  path: string;
  kind: 'lock' | 'election';
  contenders: {
    name: string;
    position: number;
    /** Holder (lock), leader (election), or waiting. */
    state: 'holder' | 'leader' | 'waiting';
    kind: string;
    sessionId: string;
    /** The sequence number: the fencing token a Mutex hands its holder. */
    fencingToken: number;
    createdAt: number;
    /** How long this contender has been in the queue (ms). */
    waitingMs: number;
  }[];
  total: number;
}

/**
 * Lock queues and elections in the recipes' layout (`<dir>/_c_<uuid>-<kind>-<seq>`): every parent with
 * contenders, holder (or leader) first, then the waiters in order. Scans the tree (bounded by
 * `queuesMax`); the caller caches the answer per zxid.
 */
export function describeQueues(tree: DataTree, now: number): QueueView[] {
  const out: QueueView[] = [];
  for (const [path, node] of tree.entries()) {
    if (out.length >= queuesMax) break;
    if (node.numChildren === 0) continue;
    const names = tree.childrenOf(node);
    const first = names.find((n) => kindOf(n) !== null && sequenceOf(n) >= 0);
    if (first === undefined) continue;
    const isElection = electionKinds.includes(kindOf(first)!);
    const order = contenders(names, isElection ? electionKinds : lockKinds);
    if (order.length === 0) continue;
    out.push({
      path,
      kind: isElection ? 'election' : 'lock',
      total: order.length,
      contenders: order.slice(0, queueMembersMax).map((name, i) => {
        const child = tree.getNode(path === '/' ? `/${name}` : `${path}/${name}`);
        const createdAt = child?.ctime ?? now;
        return {
          name,
          position: i,
          state: i === 0 ? (isElection ? 'leader' : 'holder') : 'waiting',
          kind: kindOf(name) ?? '',
          sessionId: hexId(child?.stat().ephemeralOwner ?? 0n),
          fencingToken: sequenceOf(name),
          createdAt,
          waitingMs: Math.max(0, now - createdAt),
        };
      }),
    });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** A service registry (`/servers` by default): each child with its data as text and as JSON when it parses. */
export function describeRegistry(tree: DataTree, path: string) {
  const node = tree.getNode(path);
  if (!node) return { path, exists: false, instances: [] };
  const readable = (n: ZNode) => checkAcl(tree.aclOf(n), Perms.READ, [{ scheme: 'world', id: 'anyone' }]);
  const instances = tree
    .childrenOf(node)
    .sort()
    .slice(0, childrenPageMax)
    .map((name) => {
      const child = tree.getNode(path === '/' ? `/${name}` : `${path}/${name}`)!;
      const text = readable(child) ? (child.data?.subarray(0, dataBytesShownMax).toString('utf8') ?? '') : null;
      let json: unknown = null;
      if (text) {
        try {
          json = JSON.parse(text);
        } catch {
          json = null;
        }
      }
      return { name, text, json, ephemeralOwner: hexId(child.stat().ephemeralOwner), ctime: child.ctime };
    });
  return { path, exists: true, instances };
}
