/**
 * Durability for the node when a data directory is given: opens the DurableStore (txn log with group
 * commit, fuzzy snapshots every ~snapCount txns, autopurge), recovers the core before it listens, and
 * keeps the session-password secret in the data directory so clients can resume their sessions after
 * a restart.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ServerCore } from '@coord/server';
import { DurableStore, fsyncDir, StorageError } from '@coord/storage';
import { restoreCore } from './durable-restore';
import type { Logger, NodeConfig } from './ops';
import type { TxnLog } from './txn-log';

const secretFileName = 'coordinode.secret';
const secretBytes = 32;

export interface DurableNodeParts {
  store: DurableStore;
  txnLog: TxnLog;
  restore(core: ServerCore): Promise<void>;
  core: { passwordSecret: Buffer };
}

/** Reads the secret, creating it (synced) on first start. */
export function loadSecret(dataDir: string): Buffer {
  const file = path.join(dataDir, secretFileName);
  try {
    const b = fs.readFileSync(file);
    if (b.length === secretBytes) return b;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const secret = randomBytes(secretBytes);
  const tmp = file + '.tmp';
  fs.writeFileSync(tmp, secret, { mode: 0o600 });
  fs.renameSync(tmp, file);
  fsyncDir(dataDir);
  return secret;
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
    purgeIntervalHours: config.autopurgePurgeInterval,
    repair: options.repair,
    log: storeLog,
    random: Math.random,
    now: Date.now,
  });
  return {
    store,
    core: { passwordSecret: loadSecret(dataDir) },
    txnLog: { append: (txns) => store.append(txns), close: () => store.close() },
    restore: async (core) => {
      const started = Date.now();
      const recovered = store.recover();
      restoreCore(core, recovered, Date.now());
      await store.attach(core.tree, () => [...core.sessions.all()].map((s) => ({ sessionId: s.sessionId, timeOut: s.timeoutMs })));
      storeLog.info(
        `Recovered zxid 0x${recovered.lastZxid.toString(16)} in ${Date.now() - started} ms: ${core.tree.size} znodes, ` +
          `${recovered.sessions.size} sessions from ${recovered.snapshotFile ?? 'no snapshot'}, ${recovered.replayed} txns replayed`,
      );
    },
  };
}

export { StorageError };
