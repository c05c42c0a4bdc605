/**
 * Loads a recovery result into a fresh RequestPipeline through its public surface: the snapshot image goes
 * into the tree, the sessions alive at the image's zxid come back through `replay` of createSession
 * txns (each a no-op for the tree, so the tracker re-adds them with their timeouts and the core's
 * zxid lands exactly on the image's), and the log tail replays as it was logged: its creates straight
 * from the log's bytes into the tree (TailReplayer), every other txn decoded and through `replay`
 * (session txns must reach the core's session tracker too).
 */
import { restoreTree, TailReplayer, Txn } from '@coord/data-tree';
import type { RequestPipeline } from '@coord/server';
import type { Recovered } from '@coord/storage';

/** Txns decoded ahead of the replay (a batch is short-lived garbage). */
const replayBatchTxns = 1024;

export function restoreCore(core: RequestPipeline, r: Recovered, now: number): void {
  if (r.sessionSecret) core.sessions.setSecret(r.sessionSecret);
  if (r.image) {
    restoreTree(core.tree, r.image);
    core.replay(sessionTxns(r.sessions, r.imageZxid, now));
  }
  if (r.forEachTailRecord) {
    replayTail(core, r.forEachTailRecord, r.tailCreates);
  } else if (r.forEachTail) {
    // Streamed in batches: the decoded txns die young instead of a million of them being held at once.
    let batch: Txn[] = [];
    r.forEachTail((t) => {
      batch.push(t);
      if (batch.length >= replayBatchTxns) {
        core.replay(batch);
        batch = [];
      }
    });
    core.replay(batch);
  } else {
    core.replay(r.tail);
  }
  if (core.lastProcessedZxid !== r.lastZxid) {
    throw new Error(`recovery invariant broken: core at zxid 0x${core.lastProcessedZxid.toString(16)}, log at 0x${r.lastZxid.toString(16)}`);
  }
}

/**
 * The tail through a TailReplayer over the core's tree. The core learns the zxid of each txn it
 * replays itself; after the last one the replayer.inPlace, one synthetic error txn (a no-op for the
 * tree) at that zxid brings it there.
 */
function replayTail(core: RequestPipeline, each: (fn: (b: Buffer, at: number, end: number) => void) => void, creates: number | undefined): void {
  const replayer = new TailReplayer(core.tree, {
    appliedZxid: core.lastProcessedZxid,
    creates,
    applyDecoded: (txn) => core.replay([txn]),
  });
  each((b, at, end) => replayer.replay(b, at, end));
  replayer.finish();
  const zxid = core.tree.lastProcessedZxid;
  if (replayer.inPlace > 0 && zxid > core.lastProcessedZxid) core.replay([{ zxid, time: 0, sessionId: 0n, cxid: 0, op: { type: 'error', err: 0 } }]);
}

/**
 * Synthetic txns numbered so the last one is `imageZxid`. Every live session was created by its own
 * createSession txn at or before imageZxid, so there are never more sessions than zxids to use.
 */
export function sessionTxns(sessions: Map<bigint, number>, imageZxid: number, now: number): Txn[] {
  if (imageZxid === 0) return [];
  if (sessions.size > imageZxid) throw new Error(`recovery invariant broken: ${sessions.size} sessions at zxid ${imageZxid}`);
  if (sessions.size === 0) return [{ zxid: imageZxid, time: now, sessionId: 0n, cxid: 0, op: { type: 'error', err: 0 } }];
  let zxid = imageZxid - sessions.size;
  return [...sessions].map(([sessionId, timeOut]) => ({ zxid: ++zxid, time: now, sessionId, cxid: 0, op: { type: 'createSession', timeOut } }));
}
