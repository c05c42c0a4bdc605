/**
 * Jute's binary archive (BinaryOutputArchive / BinaryInputArchive): big-endian ints and longs,
 * length-prefixed buffers and strings (-1 = null) and vectors (-1 = null), booleans as one byte.
 *
 * Both classes are on the hot path (every request and reply), so they write into one growable
 * buffer and read integers by hand instead of allocating per field.
 */
import { ProtocolError } from './errors';
import { frameBytesMaxDefault, writerInitialBytes } from './limits';

const twoTo32 = 0x1_0000_0000;
/** Strings up to this many UTF-16 units are tried on a hand-written ASCII path before the native encoder. */
const asciiFastPathUnitsMax = 64;

export class JuteWriter {
  private buf: Buffer;
  private pos: number;

  constructor(initialBytes: number = writerInitialBytes) {
    this.buf = Buffer.allocUnsafe(initialBytes);
    this.pos = 0;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  private ensure(extraBytes: number): void {
    const need = this.pos + extraBytes;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  writeInt(v: number): this {
    this.ensure(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
    this.pos = p + 4;
    return this;
  }

  /** Writes an int at an earlier offset (used for the frame length and string lengths). */
  patchInt(offset: number, v: number): void {
    const b = this.buf;
    b[offset] = v >>> 24;
    b[offset + 1] = v >>> 16;
    b[offset + 2] = v >>> 8;
    b[offset + 3] = v;
  }

  /**
   * A jute long. Numbers must be safe integers (zxids, times, TTLs); bigints (session ids) may be
   * given signed or unsigned and are written as their 64-bit two's complement.
   */
  writeLong(v: number | bigint): this {
    this.ensure(8);
    const b = this.buf;
    const p = this.pos;
    let hi: number;
    let lo: number;
    if (typeof v === 'bigint') {
      const u = BigInt.asUintN(64, v);
      hi = Number(u >> 32n);
      lo = Number(u & 0xffff_ffffn);
    } else {
      hi = Math.floor(v / twoTo32);
      lo = v - hi * twoTo32;
    }
    // Typed-array stores keep the low 8 bits, so each shift picks one byte.
    b[p] = hi >>> 24;
    b[p + 1] = hi >>> 16;
    b[p + 2] = hi >>> 8;
    b[p + 3] = hi;
    b[p + 4] = lo >>> 24;
    b[p + 5] = lo >>> 16;
    b[p + 6] = lo >>> 8;
    b[p + 7] = lo;
    this.pos = p + 8;
    return this;
  }

  writeBool(v: boolean): this {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
    return this;
  }

  /** A jute buffer: null is written as length -1, distinct from an empty buffer. */
  writeBuffer(v: Buffer | Uint8Array | null): this {
    if (v === null) return this.writeInt(-1);
    this.ensure(4 + v.length);
    this.writeInt(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
    return this;
  }

  /** A jute ustring, UTF-8. Never writes a null string (the C client cannot decode one). */
  writeString(v: string): this {
    const n = v.length;
    // One UTF-16 unit never needs more than 3 UTF-8 bytes, so reserve the upper bound and patch the length.
    this.ensure(4 + n * 3);
    const b = this.buf;
    const start = this.pos;
    if (n <= asciiFastPathUnitsMax) {
      // Short ASCII strings (paths, schemes) are cheaper to copy by hand than through the native encoder.
      let i = 0;
      for (; i < n; i++) {
        const c = v.charCodeAt(i);
        if (c >= 0x80) break;
        b[start + 4 + i] = c;
      }
      if (i === n) {
        this.patchInt(start, n);
        this.pos = start + 4 + n;
        return this;
      }
    }
    const written = b.write(v, start + 4, 'utf8');
    this.patchInt(start, written);
    this.pos = start + 4 + written;
    return this;
  }

  writeStringVector(v: readonly string[]): this {
    this.writeInt(v.length);
    for (let i = 0; i < v.length; i++) this.writeString(v[i]);
    return this;
  }

  writeVector<T>(v: readonly T[], writeItem: (w: JuteWriter, item: T) => void): this {
    this.writeInt(v.length);
    for (let i = 0; i < v.length; i++) writeItem(this, v[i]);
    return this;
  }

  /** Reserves 4 bytes for a frame length prefix; finishFrame() fills it in. */
  beginFrame(): this {
    return this.writeInt(0);
  }

  /** The written bytes as a frame: patches the length prefix written by beginFrame() at offset 0. */
  finishFrame(): Buffer {
    this.patchInt(0, this.pos - 4);
    return this.buf.subarray(0, this.pos);
  }

  /** The written bytes (a view of the writer's buffer; the writer must not be reused afterwards). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

export class JuteReader {
  private readonly buf: Buffer;
  private pos: number;
  private readonly end: number;
  private readonly lengthMax: number;

  /**
   * @param lengthMax the largest string/buffer/vector length accepted ("Unreasonable length" above it).
   */
  constructor(buf: Buffer, offset = 0, lengthMax: number = frameBytesMaxDefault) {
    this.buf = buf;
    this.pos = offset;
    this.end = buf.length;
    this.lengthMax = lengthMax;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(bytes: number): number {
    const p = this.pos;
    if (p + bytes > this.end) {
      throw new ProtocolError('body', `record truncated: need ${bytes} bytes at offset ${p}, have ${this.end - p}`);
    }
    this.pos = p + bytes;
    return p;
  }

  readInt(): number {
    const p = this.need(4);
    const b = this.buf;
    return (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
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

  readBool(): boolean {
    const p = this.need(1);
    return this.buf[p] !== 0;
  }

  private readLength(what: string): number {
    const n = this.readInt();
    if (n < -1 || n > this.lengthMax) {
      throw new ProtocolError('body', `unreasonable ${what} length ${n}`);
    }
    return n;
  }

  /** A jute buffer; null for length -1. The result is a copy, so it does not pin the frame in memory. */
  readBuffer(): Buffer | null {
    const n = this.readLength('buffer');
    if (n === -1) return null;
    const p = this.need(n);
    const out = Buffer.allocUnsafe(n);
    this.buf.copy(out, 0, p, p + n);
    return out;
  }

  /** A jute ustring; a null string (-1) reads as '' because kazoo sends '' that way. */
  readString(): string {
    const n = this.readLength('string');
    if (n <= 0) return '';
    const p = this.need(n);
    return this.buf.toString('utf8', p, p + n);
  }

  /** A vector count; a null vector (-1) reads as 0 elements. Rejects counts the remaining bytes cannot hold. */
  readCount(elementBytesMin: number): number {
    const n = this.readLength('vector');
    if (n <= 0) return 0;
    if (n * elementBytesMin > this.end - this.pos) {
      throw new ProtocolError('body', `vector of ${n} elements cannot fit in ${this.end - this.pos} bytes`);
    }
    return n;
  }

  readStringVector(): string[] {
    const n = this.readCount(4);
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.readString();
    return out;
  }

  readVector<T>(elementBytesMin: number, readItem: (r: JuteReader) => T): T[] {
    const n = this.readCount(elementBytesMin);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = readItem(this);
    return out;
  }
}
