/**
 * Durability for the node when a data directory is given: opens the DurableStore (txn log with group
 * commit, fuzzy snapshots every ~snapCount txns, autopurge), recovers the core before it listens, and
 * the session-password secret comes back with the state (it is a logged txn and part of every snapshot),
 * so clients can resume their sessions after a restart.
 */
import * as fs from 'node:fs';
import type { RequestPipeline } from '@coord/server';
import { DurableStore, StorageError } from '@coord/storage';
import { restoreCore } from './durable-restore';
import type { Logger, NodeConfig } from './ops';
import type { TxnLog } from './txn-log';

export interface DurableNodeParts {
  store: DurableStore;
  txnLog: TxnLog;
  restore(core: RequestPipeline): Promise<void>;
}

export function openDurable(config: NodeConfig, log: Logger, options: { repair?: boolean } = {}): DurableNodeParts {
  const dataDir = config.dataDir as string;
  const logDir = config.dataLogDir ?? dataDir;
  fs.mkdirSync(dataDir, { recursive: true });
  const storeLog = log.child('storage');
  const store = new DurableStore({
    snapDir: dataDir,
    logDir,
    forceSync: config.forceSync,
    snapCount: config.snapCount,
    snapRetainCount: config.autopurgeSnapRetainCount,
    snapshotBytesPerSecond: config.snapshotBytesPerSecond,
    purgeIntervalHours: config.autopurgePurgeInterval,
    repair: options.repair,
    log: storeLog,
    random: Math.random,
    now: Date.now,
  });
  return {
    store,
    txnLog: { append: (txns) => store.append(txns), close: () => store.close() },
    restore: async (core) => {
      const started = Date.now();
      const recovered = store.recover();
      restoreCore(core, recovered, Date.now());
      await store.attach(core.tree, () => ({
        sessions: [...core.sessions.all()].map((s) => ({ sessionId: s.sessionId, timeOut: s.timeoutMs })),
        sessionSecret: core.sessions.currentSecret,
      }));
      storeLog.info(
        `Recovered zxid 0x${recovered.lastZxid.toString(16)} in ${Date.now() - started} ms: ${core.tree.size} znodes, ` +
          `${recovered.sessions.size} sessions from ${recovered.snapshotFile ?? 'no snapshot'}, ${recovered.replayed} txns replayed`,
      );
    },
  };
}

export { StorageError };
