// A zxid names one transaction: the high 32 bits are the epoch of the leader that proposed it, the low
// 32 bits count proposals within that epoch. We keep zxids as plain numbers, like libs/protocol does:
// epoch * 2^32 + counter is exact while the epoch stays below 2^21 (about two million leader changes).

export type Zxid = number;

/** 2^32: one epoch step in a zxid. */
export const epochStepZxids = 4294967296;
/** The largest counter a leader may assign; reaching it forces a new epoch (ZooKeeper's XidRolloverException). */
export const counterMax = 0xffffffff;
/** The largest epoch that keeps `epoch * 2^32 + counter` an exact double. */
export const epochMax = 2 ** 21 - 1;

export function makeZxid(epoch: number, counter: number): Zxid {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > epochMax) throw new RangeError(`epoch out of range: ${epoch}`);
  if (!Number.isInteger(counter) || counter < 0 || counter > counterMax) throw new RangeError(`counter out of range: ${counter}`);
  return epoch * epochStepZxids + counter;
}

export function epochOf(zxid: Zxid): number {
  return Math.floor(zxid / epochStepZxids);
}

export function counterOf(zxid: Zxid): number {
  return zxid % epochStepZxids;
}

/** ZooKeeper prints zxids in hex (`0x100000003`); traces show the pair too, which reads faster. */
export function formatZxid(zxid: Zxid): string {
  return `${epochOf(zxid)}.${counterOf(zxid)}`;
}

/** For drivers that write zxids as a jute long. */
export function zxidToBigInt(zxid: Zxid): bigint {
  return (BigInt(epochOf(zxid)) << 32n) | BigInt(counterOf(zxid));
}
