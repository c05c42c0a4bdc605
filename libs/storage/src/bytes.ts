/**
 * A growable byte writer and a bounds-checked reader for the log and snapshot formats.
 * Unsigned integers are LEB128 varints (7 bits per byte, low group first, high bit = more), so small
 * zxids, lengths and versions take one to three bytes; signed ints are zigzag varints; session ids and
 * ephemeralOwner values are raw 8-byte big-endian two's complement (they use all 64 bits).
 */

/** Largest integer a varint may carry: numbers above 2^53 would lose precision as a JS number. */
const varintValueMax = Number.MAX_SAFE_INTEGER;
/** A varint for a safe integer never needs more than 8 bytes (53 bits / 7). */
const varintBytesMax = 8;
const initialBytes = 1024;

export class ByteWriter {
  private buf: Buffer;
  length = 0;

  constructor(capacity = initialBytes) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.length);
    this.length += 4;
  }

  i64(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigInt64BE(BigInt.asIntN(64, v), this.length);
    this.length += 8;
  }

  varint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`varint out of range: ${v}`);
    this.ensure(varintBytesMax);
    const buf = this.buf;
    // Above 2^31 bit operations would wrap, so big values (times) take the arithmetic path first.
    while (v >= 0x80000000) {
      buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    while (v >= 0x80) {
      buf[this.length++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[this.length++] = v;
  }

  /** Zigzag: 0, -1, 1, -2 ... -> 0, 1, 2, 3 ..., so small negatives stay small. */
  svarint(v: number): void {
    this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  bytes(b: Buffer): void {
    this.ensure(b.length);
    // TypedArray.set: Buffer.copy's argument handling costs more than the copy for small values.
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  string(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.varint(n);
    this.ensure(n);
    this.buf.write(s, this.length, n, 'utf8');
    this.length += n;
  }

  /** null is 0, otherwise length + 1 then the bytes: jute keeps null and empty apart, so do we. */
  data(b: Buffer | null): void {
    if (b === null) {
      this.varint(0);
      return;
    }
    this.varint(b.length + 1);
    this.bytes(b);
  }

  /** Overwrites 4 bytes written earlier (record length and checksum slots). */
  patchU32(at: number, v: number): void {
    this.buf.writeUInt32BE(v >>> 0, at);
  }

  /** A view of the bytes written so far (valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  /** A copy that stays valid. */
  take(): Buffer {
    return Buffer.from(this.view());
  }

  reset(): void {
    this.length = 0;
  }
}

/** Thrown by ByteReader when a field runs past its end or is malformed. */
export class DecodeError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'DecodeError';
  }
}

export class ByteReader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
    readonly end = buf.length,
  ) {}

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new DecodeError(`need ${n} bytes, ${this.end - this.pos} left`, this.pos);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  i64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < varintBytesMax; i++) {
      this.need(1);
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (result > varintValueMax) break;
        return result;
      }
      scale *= 0x80;
    }
    throw new DecodeError('varint too long', this.pos);
  }

  svarint(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  string(): string {
    const n = this.varint();
    return this.bytes(n).toString('utf8');
  }

  /** Copies, so a decoded node never pins a whole file buffer. */
  data(): Buffer | null {
    const n = this.varint();
    if (n === 0) return null;
    const src = this.bytes(n - 1);
    const out = Buffer.allocUnsafe(src.length);
    out.set(src);
    return out;
  }
}
