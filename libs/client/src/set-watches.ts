import { OpCode, type SetWatches2Request } from '@coord/protocol';
import { prependChroot } from './connect-string';
import type { WatchRegistry } from './watch-registry';

/** SetWatches batches stay below this many bytes of paths, as the Java client's do. */
export const setWatchesBytesMax = 128 * 1024;

export interface SetWatchesBatch {
  opcode: typeof OpCode.setWatches | typeof OpCode.setWatches2;
  body: SetWatches2Request;
}

/**
 * The SetWatches requests that re-register a registry's watches on a new connection: SetWatches (101)
 * for data/exist/child watches, SetWatches2 (105) when persistent watches exist, split so that no batch
 * carries more than `bytesMax` bytes of paths. Paths are sent with the chroot prepended.
 */
export function setWatchesBatches(
  watches: WatchRegistry,
  chroot: string,
  relativeZxid: number,
  bytesMax: number = setWatchesBytesMax,
): SetWatchesBatch[] {
  const lists = {
    dataWatches: watches.paths('data'),
    existWatches: watches.paths('exist'),
    childWatches: watches.paths('child'),
    persistentWatches: watches.paths('persistent'),
    persistentRecursiveWatches: watches.paths('persistentRecursive'),
  };
  const v2 = watches.hasPersistent();
  type ListName = keyof typeof lists;
  const names = (v2 ? Object.keys(lists) : ['dataWatches', 'existWatches', 'childWatches']) as ListName[];
  const opcode = v2 ? OpCode.setWatches2 : OpCode.setWatches;
  const batches: SetWatchesBatch[] = [];
  let body = emptyBody(relativeZxid);
  let bytes = 0;
  for (const name of names) {
    for (const path of lists[name]) {
      const serverPath = prependChroot(chroot, path);
      if (bytes > 0 && bytes + serverPath.length > bytesMax) {
        batches.push({ opcode, body });
        body = emptyBody(relativeZxid);
        bytes = 0;
      }
      body[name].push(serverPath);
      bytes += serverPath.length;
    }
  }
  if (bytes > 0) batches.push({ opcode, body });
  return batches;
}

function emptyBody(relativeZxid: number): SetWatches2Request {
  return { relativeZxid, dataWatches: [], existWatches: [], childWatches: [], persistentWatches: [], persistentRecursiveWatches: [] };
}
