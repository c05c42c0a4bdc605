/**
 * The txn-log port. The node hands every batch of txns to `append` and releases the replies that
 * depend on them only after it resolves (output commit). The durable log (`durable-node.ts`, on
 * @coord/storage) plugs in here; MemoryTxnLog is the in-memory node's log.
 */
import type { Txn } from '@coord/data-tree';

export interface TxnLog {
  /**
   * Makes `txns` durable, in order. May return void when the write completed synchronously, which
   * lets the node release replies without waiting for another event-loop turn.
   */
  append(txns: Txn[]): Promise<void> | void;
  close?(): Promise<void>;
}

/**
 * Keeps nothing durable. By default it only counts, because retaining every txn would hold a second
 * copy of every znode's data in memory; tests pass `retain: true` to inspect what was logged.
 */
export class MemoryTxnLog implements TxnLog {
  readonly txns: Txn[] = [];
  appended = 0;
  lastZxid = 0;

  constructor(private readonly options: { retain?: boolean } = {}) {}

  append(txns: Txn[]): void {
    this.appended += txns.length;
    if (txns.length > 0) this.lastZxid = txns[txns.length - 1].zxid;
    if (this.options.retain) this.txns.push(...txns);
  }
}
