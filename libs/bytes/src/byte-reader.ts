/**
 * The one bounds-checked reader of every binary format (see ByteWriter for the encodings). Every read
 * checks its bytes are present before the end; a format decides which error a malformed input raises by
 * passing `fail` (the client port's ProtocolError, ZAB's ZabCodecError), DecodeError otherwise.
 */
import { varintBytesMax } from './byte-writer';

const twoTo32 = 0x1_0000_0000;
/** Largest integer a varint may carry: numbers above 2^53 would lose precision as a JS number. */
const varintValueMax = Number.MAX_SAFE_INTEGER;
/** Default for the longest int-prefixed string, buffer or vector: an int32's range, so no limit. */
const lengthMaxUnbounded = 0x7fff_ffff;

/** Thrown by ByteReader when a field runs past its end or is malformed; `offset` is where it was read. */
export class DecodeError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'DecodeError';
  }
}

/** Makes the error a malformed input raises; `offset` is where the failed field starts or ends. */
export type DecodeFailure = (message: string, offset: number) => Error;

const decodeError: DecodeFailure = (message, offset) => new DecodeError(message, offset);

export interface ByteReaderOptions {
  /** Where reading stops (exclusive); the end of `buf` when absent. */
  end?: number;
  /** The largest int-prefixed string/buffer/vector length accepted ("unreasonable length" above it). */
  lengthMax?: number;
  /** The error malformed input raises; DecodeError when absent. */
  fail?: DecodeFailure;
}

export class ByteReader {
  readonly buf: Buffer;
  private pos: number;
  readonly end: number;
  private readonly lengthMax: number;
  private readonly fail: DecodeFailure;

  constructor(buf: Buffer, offset = 0, options?: ByteReaderOptions) {
    this.buf = buf;
    this.pos = offset;
    this.end = options?.end ?? buf.length;
    this.lengthMax = options?.lengthMax ?? lengthMaxUnbounded;
    this.fail = options?.fail ?? decodeError;
  }

  /** Where the next read starts. */
  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Raises this reader's error for malformed input at the current offset (for a format's own checks). */
  error(message: string, offset: number = this.pos): Error {
    return this.fail(message, offset);
  }

  /** Claims `bytes` bytes and returns where they start. */
  private need(bytes: number): number {
    const p = this.pos;
    if (p + bytes > this.end) {
      throw this.fail(`truncated: need ${bytes} bytes at offset ${p}, have ${this.end - p}`, p);
    }
    this.pos = p + bytes;
    return p;
  }

  readU8(): number {
    const p = this.need(1);
    return this.buf[p];
  }

  /** Any non-zero byte is true. */
  readBool(): boolean {
    const p = this.need(1);
    return this.buf[p] !== 0;
  }

  /** A signed 32-bit int. */
  readInt(): number {
    const p = this.need(4);
    const b = this.buf;
    return (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
  }

  /** An unsigned 32-bit int (lengths, checksums). */
  readUnsignedInt(): number {
    return this.readInt() >>> 0;
  }

  /** A long as a number (zxid, time, ttl); exact below 2^53, sign-correct (-1 stays -1). */
  readLong(): number {
    const p = this.need(8);
    const b = this.buf;
    const hi = (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
    const lo = ((b[p + 4] << 24) | (b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]) >>> 0;
    return hi * twoTo32 + lo;
  }

  /** A long as an unsigned 64-bit bigint (session ids, ephemeralOwner), as Long.toHexString shows it. */
  readBigLong(): bigint {
    const p = this.need(8);
    const b = this.buf;
    const hi = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
    const lo = ((b[p + 4] << 24) | (b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]) >>> 0;
    // Most values (0 for non-ephemeral nodes) fit in 53 bits: one BigInt conversion instead of three.
    return hi < 0x20_0000 ? BigInt(hi * twoTo32 + lo) : (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** A long as a signed 64-bit bigint (two's complement). */
  readBigLongSigned(): bigint {
    const p = this.need(8);
    return this.buf.readBigInt64BE(p);
  }

  readVarint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < varintBytesMax; i++) {
      const b = this.buf[this.need(1)];
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (result > varintValueMax) break;
        return result;
      }
      scale *= 0x80;
    }
    throw this.fail('varint too long', this.pos);
  }

  readSvarint(): number {
    const v = this.readVarint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  /** The next `n` bytes as a view of the input (no copy). */
  readRaw(n: number): Buffer {
    const p = this.need(n);
    return this.buf.subarray(p, p + n);
  }

  /**
   * The next `n` bytes as a copy (from Node's pool when small), so what is kept never pins the input in
   * memory; no view of the input is made on the way.
   */
  readCopy(n: number): Buffer {
    const p = this.need(n);
    const out = Buffer.allocUnsafe(n);
    this.buf.copy(out, 0, p, p + n);
    return out;
  }

  private readLength(what: string): number {
    const n = this.readInt();
    if (n < -1 || n > this.lengthMax) throw this.fail(`unreasonable ${what} length ${n}`, this.pos - 4);
    return n;
  }

  /** An int-prefixed buffer; null for length -1. A copy, so it does not pin the input in memory. */
  readBuffer(): Buffer | null {
    const n = this.readLength('buffer');
    if (n === -1) return null;
    return this.readCopy(n);
  }

  /** An int-prefixed UTF-8 string; a null string (-1) reads as '' (kazoo sends '' that way). */
  readString(): string {
    const n = this.readLength('string');
    if (n <= 0) return '';
    const p = this.need(n);
    return this.buf.toString('utf8', p, p + n);
  }

  /** A varint-prefixed UTF-8 string. */
  readVarString(): string {
    const n = this.readVarint();
    const p = this.need(n);
    return this.buf.toString('utf8', p, p + n);
  }

  /** A varint-prefixed buffer (0 = null, else length + 1). A copy, so a decoded value never pins a file. */
  readVarBuffer(): Buffer | null {
    const n = this.readVarint();
    if (n === 0) return null;
    return this.readCopy(n - 1);
  }

  /** A vector count; a null vector (-1) reads as 0 elements. Rejects counts the remaining bytes cannot hold. */
  readCount(elementBytesMin: number): number {
    const n = this.readLength('vector');
    if (n <= 0) return 0;
    if (n * elementBytesMin > this.end - this.pos) {
      throw this.fail(`vector of ${n} elements cannot fit in ${this.end - this.pos} bytes`, this.pos);
    }
    return n;
  }

  readStringVector(): string[] {
    const n = this.readCount(4);
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.readString();
    return out;
  }

  readVector<T>(elementBytesMin: number, readItem: (r: ByteReader) => T): T[] {
    const n = this.readCount(elementBytesMin);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = readItem(this);
    return out;
  }
}
