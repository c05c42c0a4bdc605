/**
 * maxClientCnxns: how many connections one client address may hold at once (0 = no limit), counted
 * and refused as ZooKeeper does. Shared by the standalone node and the ensemble member's client port.
 */
import type { Logger } from './ops';

export class ConnectionsPerAddress {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly log: Logger,
  ) {}

  /** Counts a new connection from `address`; false (after ZooKeeper's warning) when it is one too many. */
  admit(address: string): boolean {
    const count = this.counts.get(address) ?? 0;
    if (this.max > 0 && count >= this.max) {
      this.log.warn(`Too many connections from ${address} - max is ${this.max}`);
      return false;
    }
    this.counts.set(address, count + 1);
    return true;
  }

  /** A connection admitted from `address` has closed. */
  release(address: string): void {
    const n = (this.counts.get(address) ?? 1) - 1;
    if (n <= 0) this.counts.delete(address);
    else this.counts.set(address, n);
  }
}
