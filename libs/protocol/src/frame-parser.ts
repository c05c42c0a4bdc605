/**
 * Splits a TCP byte stream into frames: int32 big-endian length + that many bytes.
 *
 * Frames that lie wholly inside one pushed chunk are returned as views of it (no copy), so many small
 * frames in one big chunk cost one subarray each. Bytes of a frame that spans chunks are collected in a
 * list and concatenated once when the frame is complete, so a frame arriving byte by byte is copied once,
 * not once per byte. Callers must not modify a chunk after pushing it, unless the parser was made with
 * `reusesChunks` (then the bytes it keeps are copied, and frames are valid until the next push).
 */
import { ProtocolError } from './errors';
import { frameBytesMaxDefault, frameLengthBytes } from './limits';

/** The four-letter words ZooKeeper recognises as the first 4 bytes of a connection. */
export const fourLetterWords: readonly string[] = [
  'conf', 'cons', 'crst', 'dirs', 'dump', 'envi', 'gtmk', 'ruok', 'stmk',
  'srst', 'srvr', 'stat', 'wchc', 'wchp', 'wchs', 'mntr', 'isro', 'hash',
];
const fourLetterWordSet = new Set(fourLetterWords);

/**
 * The four-letter word spelled by the first 4 bytes of a fresh connection, or undefined if they are
 * not one (then they are the length of the ConnectRequest).
 */
export function fourLetterWordOf(first4: Buffer): string | undefined {
  if (first4.length < 4) return undefined;
  const word = first4.toString('latin1', 0, 4);
  return fourLetterWordSet.has(word) ? word : undefined;
}

export interface FrameParserOptions {
  /** Largest accepted frame body in bytes (jute.maxbuffer). */
  frameBytesMax?: number;
  /**
   * The caller reads into one buffer again and again (net's `onread`): the parser copies the bytes it
   * keeps between pushes, and the returned frames are views valid only until the next push.
   */
  reusesChunks?: boolean;
}

export class FrameParser {
  readonly frameBytesMax: number;
  /** Chunks (or their tails) of the frame not yet complete. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Body length of the pending frame once its 4 length bytes have arrived, else -1. */
  private pendingLength = -1;
  private failed: ProtocolError | undefined;
  private readonly reusesChunks: boolean;

  constructor(opts: FrameParserOptions = {}) {
    this.frameBytesMax = opts.frameBytesMax ?? frameBytesMaxDefault;
    this.reusesChunks = opts.reusesChunks ?? false;
  }

  /** Keeps part of a chunk for a later push: a view, or a copy when the caller reuses its buffer. */
  private keep(part: Buffer): void {
    this.pending.push(this.reusesChunks ? Buffer.from(part) : part);
  }

  /** Bytes received but not yet returned as part of a frame. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /**
   * Complete frame bodies (without the length prefix), in order. Throws ProtocolError('frame') as soon
   * as a bad length is seen, dropping frames that preceded it in the same chunk: the connection is
   * closed without replies in that case, as ZooKeeper does.
   */
  push(chunk: Buffer): Buffer[] {
    if (this.failed) throw this.failed;
    const frames: Buffer[] = [];
    let offset = 0;
    if (this.pendingBytes > 0) {
      offset = this.completePending(chunk, frames);
      if (offset < 0) return frames;
    }
    const end = chunk.length;
    while (end - offset >= frameLengthBytes) {
      const length = this.checkLength(chunk.readInt32BE(offset));
      const start = offset + frameLengthBytes;
      if (end - start < length) break;
      frames.push(chunk.subarray(start, start + length));
      offset = start + length;
    }
    if (offset < end) {
      const tail = chunk.subarray(offset);
      this.keep(tail);
      this.pendingBytes = tail.length;
      this.pendingLength = tail.length >= frameLengthBytes ? tail.readInt32BE(0) : -1;
    }
    return frames;
  }

  /**
   * Adds bytes of `chunk` to the pending frame. Returns the offset in `chunk` after the completed
   * frame, or -1 if the whole chunk was absorbed and the frame is still incomplete.
   */
  private completePending(chunk: Buffer, frames: Buffer[]): number {
    let offset = 0;
    if (this.pendingLength < 0) {
      // The length prefix itself is split: take just enough bytes to finish it.
      offset = Math.min(frameLengthBytes - this.pendingBytes, chunk.length);
      this.keep(chunk.subarray(0, offset));
      this.pendingBytes += offset;
      if (this.pendingBytes < frameLengthBytes) return -1;
      const head = Buffer.concat(this.pending, frameLengthBytes);
      this.pending = [head];
      this.pendingLength = this.checkLength(head.readInt32BE(0));
    }
    const total = frameLengthBytes + this.pendingLength;
    const need = total - this.pendingBytes;
    const available = chunk.length - offset;
    if (available < need) {
      if (available > 0) this.keep(chunk.subarray(offset));
      this.pendingBytes += available;
      return -1;
    }
    this.pending.push(chunk.subarray(offset, offset + need));
    const frame = Buffer.concat(this.pending, total);
    frames.push(frame.subarray(frameLengthBytes));
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingLength = -1;
    return offset + need;
  }

  private checkLength(length: number): number {
    if (length < 0 || length > this.frameBytesMax) {
      this.failed = new ProtocolError('frame', `frame length ${length} outside 0..${this.frameBytesMax}`);
      throw this.failed;
    }
    return length;
  }
}
