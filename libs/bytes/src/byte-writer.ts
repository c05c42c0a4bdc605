/**
 * The one growable byte writer of every binary format: jute records on the client port, the txn log and
 * snapshots, ensemble payloads and ZAB messages. Big-endian fixed-width integers, LEB128 varints, and
 * two families of length-prefixed values:
 * - int-prefixed (`writeBuffer`, `writeString`, vectors): a big-endian int32 length, -1 for null (jute);
 * - varint-prefixed (`writeVarString`, `writeVarBuffer`): compact lengths for the storage formats.
 *
 * It is on the hot path (every request, reply and txn), so it writes into one growable buffer and stores
 * integers byte by byte instead of allocating or calling Buffer's checked writers per field.
 */

const twoTo32 = 0x1_0000_0000;
/** Strings up to this many UTF-16 units are tried on a hand-written ASCII path before the native encoder. */
const asciiFastPathUnitsMax = 64;
/** A varint for a safe integer never needs more than 8 bytes (53 bits / 7). */
export const varintBytesMax = 8;
/** Default capacity: a request header plus a short path, or a small txn, without growing. */
export const writerInitialBytes = 128;

export class ByteWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes: number = writerInitialBytes) {
    this.buf = Buffer.allocUnsafe(Math.max(1, initialBytes));
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

  /** One byte: the low 8 bits of `v`. */
  writeU8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  writeBool(v: boolean): this {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
    return this;
  }

  /** 32 bits big-endian: the low 32 bits of `v`, so signed and unsigned values write the same bytes. */
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

  /** Overwrites 4 bytes written earlier (frame lengths, record lengths, checksum slots). */
  patchInt(offset: number, v: number): void {
    const b = this.buf;
    b[offset] = v >>> 24;
    b[offset + 1] = v >>> 16;
    b[offset + 2] = v >>> 8;
    b[offset + 3] = v;
  }

  /**
   * 64 bits big-endian. Numbers must be safe integers (zxids, times, TTLs); bigints (session ids) may be
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

  /** An unsigned LEB128 varint: 7 bits per byte, low group first, high bit set on every byte but the last. */
  writeVarint(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`varint out of range: ${v}`);
    this.ensure(varintBytesMax);
    const b = this.buf;
    let p = this.pos;
    // Above 2^31 bit operations would wrap, so big values (times) take the arithmetic path first.
    while (v >= 0x80000000) {
      b[p++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    while (v >= 0x80) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p++] = v;
    this.pos = p;
    return this;
  }

  /** Zigzag: 0, -1, 1, -2 ... -> 0, 1, 2, 3 ..., so small negatives stay small. */
  writeSvarint(v: number): this {
    return this.writeVarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  /** The bytes as they are, no length. */
  writeRaw(v: Uint8Array): this {
    this.ensure(v.length);
    // TypedArray.set: Buffer.copy's argument handling costs more than the copy for small values.
    this.buf.set(v, this.pos);
    this.pos += v.length;
    return this;
  }

  /** An int length then the bytes; null is length -1, distinct from an empty buffer (jute's buffer). */
  writeBuffer(v: Uint8Array | null): this {
    if (v === null) return this.writeInt(-1);
    this.ensure(4 + v.length);
    this.writeInt(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
    return this;
  }

  /** An int byte length then UTF-8 (jute's ustring). Never writes a null string. */
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

  /** A varint byte length then UTF-8. */
  writeVarString(v: string): this {
    if (v.length <= asciiFastPathUnitsMax) {
      // As writeString: short ASCII by hand (its byte length is its length); otherwise start over.
      const start = this.pos;
      const units = v.length;
      this.writeVarint(units);
      this.ensure(units);
      const b = this.buf;
      const at = this.pos;
      let i = 0;
      for (; i < units; i++) {
        const c = v.charCodeAt(i);
        if (c >= 0x80) break;
        b[at + i] = c;
      }
      if (i === units) {
        this.pos = at + units;
        return this;
      }
      this.pos = start;
    }
    const n = Buffer.byteLength(v, 'utf8');
    this.writeVarint(n);
    this.ensure(n);
    this.buf.write(v, this.pos, n, 'utf8');
    this.pos += n;
    return this;
  }

  /** null is varint 0, otherwise varint length + 1 then the bytes: null and empty stay apart, as in jute. */
  writeVarBuffer(v: Uint8Array | null): this {
    if (v === null) return this.writeVarint(0);
    this.writeVarint(v.length + 1);
    return this.writeRaw(v);
  }

  /** An int count then each string as `writeString` (jute's vector<ustring>). */
  writeStringVector(v: readonly string[]): this {
    this.writeInt(v.length);
    for (let i = 0; i < v.length; i++) this.writeString(v[i]);
    return this;
  }

  /** An int count then each item as `writeItem` writes it (jute's vector). */
  writeVector<T>(v: readonly T[], writeItem: (w: ByteWriter, item: T) => void): this {
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

  /** A view of the bytes written so far: valid until the next write or reset. */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** A copy of the bytes written so far, which stays valid. */
  take(): Buffer {
    return Buffer.from(this.view());
  }

  /** Starts over, keeping the grown buffer. */
  reset(): void {
    this.pos = 0;
  }
}
