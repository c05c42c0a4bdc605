/**
 * Chunked byte storage for znode records. A record lives in one chunk at an address
 * `chunk * chunkSpan + offset` (a plain number, exact up to 2^53). Records are appended at the tail
 * of the newest chunk; a freed record only counts as garbage in its chunk. When garbage passes an
 * eighth of the arena, the owner moves the records out of the sparsest chunks (`sparseChunks`,
 * then `release`), so memory follows the live bytes instead of the bytes ever written.
 *
 * Why chunks and not one Buffer per record: a small Buffer costs ~100 bytes of bookkeeping on top of
 * its bytes and one more object for the collector to trace; a 1 MiB chunk costs the same once for
 * ~8,000 records of 100 bytes.
 */

/** Bytes per ordinary chunk; a record larger than this gets a chunk of its own. */
export const arenaChunkBytes = 1 << 20;
/** Address stride between chunks: larger than any record (a znode's data is far below 4 GiB). */
const chunkSpan = 2 ** 32;
/** Garbage below this is never worth a compaction pass. */
const compactGarbageBytesMin = 4 << 20;
/** A chunk whose live bytes fall under this share of its size gets emptied by a compaction. */
const sparseLiveShare = 0.75;

export interface ArenaOptions {
  /** Bytes per ordinary chunk (tests shrink it to make compaction frequent). */
  chunkBytes?: number;
  /** Garbage below this never triggers a compaction. */
  compactGarbageBytesMin?: number;
}

export class ByteArena {
  private readonly chunkBytes: number;
  private readonly garbageMin: number;
  private readonly chunks: (Buffer | null)[] = [];
  private readonly live: number[] = [];
  private readonly used: number[] = [];
  private readonly freeSlots: number[] = [];
  private tail = -1;
  private tailUsed = 0;
  /** Bytes held by freed records, not yet given back. */
  garbage = 0;
  /** Bytes held by live records. */
  liveBytes = 0;

  constructor(options: ArenaOptions = {}) {
    this.chunkBytes = options.chunkBytes ?? arenaChunkBytes;
    this.garbageMin = options.compactGarbageBytesMin ?? compactGarbageBytesMin;
  }

  /** Reserves `n` bytes and returns their address; write them through `chunkOf` / `offsetOf`. */
  alloc(n: number): number {
    if (n > this.chunkBytes) return this.addressIn(this.newChunk(n), 0, n);
    if (this.tail < 0 || this.tailUsed + n > this.chunkBytes) {
      this.tail = this.newChunk(this.chunkBytes);
      this.tailUsed = 0;
    }
    const at = this.tailUsed;
    this.tailUsed += n;
    return this.addressIn(this.tail, at, n);
  }

  /**
   * The tail chunk, with at least `n` (≤ the chunk size) free bytes from `tailOffset` on (a new tail
   * chunk when it lacks them). Nothing is claimed: a writer that encodes a record in place writes
   * there, then claims what it wrote with `claimTail`.
   */
  tailWithRoom(n: number): Buffer {
    if (this.tail < 0 || this.tailUsed + n > this.chunkBytes) {
      this.tail = this.newChunk(this.chunkBytes);
      this.tailUsed = 0;
    }
    return this.chunks[this.tail] as Buffer;
  }

  get tailOffset(): number {
    return this.tailUsed;
  }

  /** Claims `n` bytes at `tailOffset` (after `tailWithRoom(m)`, n ≤ m) and returns their address. */
  claimTail(n: number): number {
    const at = this.tailUsed;
    this.tailUsed = at + n;
    return this.addressIn(this.tail, at, n);
  }

  /** Largest record `tailWithRoom` can make room for. */
  get chunkSize(): number {
    return this.chunkBytes;
  }

  free(address: number, n: number): void {
    const c = Math.floor(address / chunkSpan);
    this.live[c] -= n;
    this.liveBytes -= n;
    // A chunk of its own goes back at once; ordinary chunks wait for a compaction.
    if ((this.chunks[c] as Buffer).length > this.chunkBytes && this.live[c] === 0) this.dropChunk(c);
    else this.garbage += n;
  }

  chunkOf(address: number): Buffer {
    return this.chunks[Math.floor(address / chunkSpan)] as Buffer;
  }

  offsetOf(address: number): number {
    return address % chunkSpan;
  }

  chunkIndexOf(address: number): number {
    return Math.floor(address / chunkSpan);
  }

  /** True when enough garbage piled up that moving records out of sparse chunks pays. */
  needsCompaction(): boolean {
    return this.garbage > this.garbageMin && this.garbage * 8 > this.liveBytes + this.garbage;
  }

  /** Chunks worth emptying: mostly garbage and not the one being filled. */
  sparseChunks(): Set<number> {
    const out = new Set<number>();
    for (let c = 0; c < this.chunks.length; c++) {
      const chunk = this.chunks[c];
      if (chunk === null || c === this.tail) continue;
      if (this.live[c] < chunk.length * sparseLiveShare) out.add(c);
    }
    return out;
  }

  /** Gives back chunks whose records were all moved away (their live bytes are 0). */
  release(chunks: Iterable<number>): void {
    for (const c of chunks) {
      if (this.live[c] !== 0) throw new Error(`arena invariant broken: chunk ${c} still holds ${this.live[c]} live bytes`);
      this.dropChunk(c);
    }
  }

  /** Bytes of chunk memory held (live + garbage + unused tail). */
  get reservedBytes(): number {
    let n = 0;
    for (const c of this.chunks) if (c !== null) n += c.length;
    return n;
  }

  private addressIn(c: number, at: number, n: number): number {
    this.live[c] += n;
    this.used[c] += n;
    this.liveBytes += n;
    return c * chunkSpan + at;
  }

  private newChunk(bytes: number): number {
    // allocUnsafeSlow: a chunk of its own, never a slice of Node's shared pool.
    const chunk = Buffer.allocUnsafeSlow(bytes);
    const c = this.freeSlots.length > 0 ? (this.freeSlots.pop() as number) : this.chunks.length;
    this.chunks[c] = chunk;
    this.live[c] = 0;
    this.used[c] = 0;
    return c;
  }

  private dropChunk(c: number): void {
    const chunk = this.chunks[c] as Buffer;
    // Every byte used in an ordinary chunk is garbage by now (its live bytes are 0).
    if (chunk.length <= this.chunkBytes) this.garbage -= this.used[c];
    this.chunks[c] = null;
    this.live[c] = 0;
    this.used[c] = 0;
    this.freeSlots.push(c);
    if (c === this.tail) this.tail = -1;
  }
}
