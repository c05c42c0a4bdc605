import { isZkError, type ZkClient } from '@coord/client';

/** Creates `path` and any missing parents as persistent nodes; an existing node is fine. */
export async function ensurePath(zk: ZkClient, path: string): Promise<void> {
  const parts = path.split('/').filter(Boolean);
  let current = '';
  for (const part of parts) {
    current += '/' + part;
    try {
      await zk.create(current, null, { mode: 'persistent' });
    } catch (err) {
      if (!(isZkError(err) && err.code === 'NODEEXISTS')) throw err;
    }
  }
}

/** The counter ZooKeeper appends to a sequential node's name (its last 10 digits). */
export function sequenceOf(name: string): number {
  return Number(name.slice(-10));
}

/** Sequential children in creation order. */
export function sortBySequence(children: string[]): string[] {
  return [...children].sort((a, b) => sequenceOf(a) - sequenceOf(b));
}

/** Deletes a node if it is still there; a missing node or a closed client is not an error here. */
export async function deleteQuietly(zk: ZkClient, path: string): Promise<void> {
  if (zk.state === 'closed' || zk.state === 'lost') return;
  try {
    await zk.delete(path);
  } catch (err) {
    if (isZkError(err) && (err.code === 'NONODE' || err.code === 'SESSIONEXPIRED' || err.code === 'CONNECTIONLOSS')) return;
    throw err;
  }
}
