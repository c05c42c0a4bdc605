// The one writer/reader pair: fixed-width integers, varints, both length-prefixed families, vectors and
// frames round-trip byte-exactly, and every malformed input raises the reader's error.
import { ByteReader, ByteWriter, DecodeError } from './index';

function roundTrip(write: (w: ByteWriter) => void): ByteReader {
  const w = new ByteWriter(1);
  write(w);
  return new ByteReader(w.take());
}

describe('fixed-width integers', () => {
  it("writes ints big-endian two's complement", () => {
    const w = new ByteWriter(2);
    w.writeInt(1).writeInt(-1).writeInt(0x7fffffff).writeInt(-0x80000000);
    expect(w.view().toString('hex')).toBe('00000001ffffffff7fffffff80000000');
  });

  it('reads an int signed or unsigned', () => {
    const r = roundTrip((w) => w.writeInt(0xfffffffe).writeInt(0xfffffffe));
    expect(r.readInt()).toBe(-2);
    expect(r.readUnsignedInt()).toBe(0xfffffffe);
  });

  it.each([0, 1, -1, -2, 0xffffffff, 0x1_0000_0000, 2 ** 53 - 1, -(2 ** 53) + 1, 1_700_000_000_123])(
    'round-trips the long %d as a number',
    (v) => {
      expect(roundTrip((w) => w.writeLong(v)).readLong()).toBe(v);
    },
  );

  it('writes -1 as eight 0xff bytes and reads it back as -1', () => {
    const w = new ByteWriter();
    w.writeLong(-1);
    expect(w.view().toString('hex')).toBe('ffffffffffffffff');
  });

  it('round-trips bigint longs, reading them unsigned or signed', () => {
    for (const v of [0n, 1n, 0x7fff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0xffff_ffff_ffff_ffffn]) {
      expect(roundTrip((w) => w.writeLong(v)).readBigLong()).toBe(v);
      expect(roundTrip((w) => w.writeLong(v)).readBigLongSigned()).toBe(BigInt.asIntN(64, v));
    }
    expect(roundTrip((w) => w.writeLong(-2n)).readBigLong()).toBe(0xffff_ffff_ffff_fffen);
    expect(roundTrip((w) => w.writeLong(-2n)).readBigLongSigned()).toBe(-2n);
  });

  it('reads any non-zero boolean byte as true and writes one byte per u8', () => {
    const r = new ByteReader(Buffer.from([0, 1, 2, 255]));
    expect([r.readBool(), r.readBool(), r.readBool(), r.readBool()]).toEqual([false, true, true, true]);
    expect(roundTrip((w) => w.writeU8(0x1ff).writeBool(true)).readRaw(2).toString('hex')).toBe('ff01');
  });
});

describe('varints', () => {
  it('round-trips edge values, zigzag for signed', () => {
    const values = [0, 1, 127, 128, 16383, 16384, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER];
    const w = new ByteWriter(4);
    for (const v of values) {
      w.writeVarint(v);
      // svarint carries int32-range fields (versions, error codes, timeouts).
      w.writeSvarint(0 - Math.min(v, 2 ** 31) || 0);
    }
    const r = new ByteReader(w.take());
    for (const v of values) {
      expect(r.readVarint()).toBe(v);
      expect(r.readSvarint()).toBe(0 - Math.min(v, 2 ** 31) || 0);
    }
    expect(r.remaining).toBe(0);
  });

  it('writes LEB128, low group first', () => {
    expect(roundTrip((w) => w.writeVarint(300).writeSvarint(-1)).readRaw(3).toString('hex')).toBe('ac0201');
  });

  it('refuses values it cannot carry', () => {
    expect(() => new ByteWriter().writeVarint(-1)).toThrow(RangeError);
    expect(() => new ByteWriter().writeVarint(2 ** 53)).toThrow(RangeError);
    expect(() => new ByteReader(Buffer.alloc(9, 0xff)).readVarint()).toThrow(/varint too long/);
  });
});

describe('length-prefixed values', () => {
  it('keeps null and empty int-prefixed buffers apart', () => {
    const r = roundTrip((w) => w.writeBuffer(null).writeBuffer(Buffer.alloc(0)).writeBuffer(Buffer.from([1, 2])));
    expect(r.readBuffer()).toBeNull();
    expect(r.readBuffer()).toEqual(Buffer.alloc(0));
    expect(r.readBuffer()).toEqual(Buffer.from([1, 2]));
  });

  it('keeps null and empty varint-prefixed buffers apart', () => {
    const w = new ByteWriter();
    w.writeVarBuffer(null).writeVarBuffer(Buffer.alloc(0)).writeVarBuffer(Buffer.from([1, 2]));
    expect(w.view().toString('hex')).toBe('0001030102');
    const r = new ByteReader(w.take());
    expect([r.readVarBuffer(), r.readVarBuffer(), r.readVarBuffer()]).toEqual([null, Buffer.alloc(0), Buffer.from([1, 2])]);
  });

  it('round-trips UTF-8 strings of both families and grows past its initial size', () => {
    // Short ones go through the ASCII fast path, which starts over on the first non-ASCII unit.
    const s = ['', 'a', 'ü€', '/𝄞', '/zk/ü', 'abc€def', '/'.repeat(64), '/'.repeat(65), 'x'.repeat(10_000)];
    const r = roundTrip((w) => s.forEach((v) => w.writeString(v).writeVarString(v)));
    expect(s.map(() => [r.readString(), r.readVarString()])).toEqual(s.map((v) => [v, v]));
    expect(r.remaining).toBe(0);
  });

  it('writes string lengths in bytes, not UTF-16 units', () => {
    const w = new ByteWriter();
    w.writeString('€').writeVarString('€').writeVarString('a€');
    expect(w.view().toString('hex')).toBe('00000003e282ac03e282ac0461e282ac');
  });

  it('reads a null string (-1) as the empty string and a null vector as empty', () => {
    expect(new ByteReader(Buffer.from('ffffffff', 'hex')).readString()).toBe('');
    expect(new ByteReader(Buffer.from('ffffffff', 'hex')).readStringVector()).toEqual([]);
  });

  it('round-trips vectors', () => {
    const r = roundTrip((w) => w.writeStringVector(['a', 'bc']).writeStringVector([]).writeVector([1, 2], (v, n) => v.writeInt(n)));
    expect(r.readStringVector()).toEqual(['a', 'bc']);
    expect(r.readStringVector()).toEqual([]);
    expect(r.readVector(4, (v) => v.readInt())).toEqual([1, 2]);
  });

  it('copies buffers out of the input, and views raw bytes in place', () => {
    const input = roundTrip((w) => w.writeBuffer(Buffer.from([1])).writeVarBuffer(Buffer.from([2])).writeRaw(Buffer.from([3])));
    const [a, b, c] = [input.readBuffer()!, input.readVarBuffer()!, input.readRaw(1)];
    input.buf.fill(9);
    expect([a[0], b[0], c[0]]).toEqual([1, 2, 9]);
  });
});

describe('malformed input', () => {
  it.each([
    ['length below -1', 'fffffffe'],
    ['length above the limit', '00000011'],
  ])('rejects a %s', (_what, hex) => {
    const r = new ByteReader(Buffer.from(hex + '00'.repeat(20), 'hex'), 0, { lengthMax: 16 });
    expect(() => r.readBuffer()).toThrow(/unreasonable buffer length/);
  });

  it('rejects a vector count the remaining bytes cannot hold', () => {
    expect(() => new ByteReader(Buffer.from('0000000500', 'hex')).readStringVector()).toThrow(/cannot fit/);
  });

  it('throws DecodeError with the offset when a field runs past the end (or past `end`)', () => {
    const reads: ((r: ByteReader) => unknown)[] = [
      (r) => r.readU8(), (r) => r.readInt(), (r) => r.readUnsignedInt(), (r) => r.readLong(), (r) => r.readBigLong(),
      (r) => r.readBigLongSigned(), (r) => r.readBool(), (r) => r.readString(), (r) => r.readBuffer(),
      (r) => r.readVarint(), (r) => r.readVarString(), (r) => r.readVarBuffer(), (r) => r.readRaw(1),
    ];
    for (const read of reads) {
      expect(() => read(new ByteReader(Buffer.alloc(0)))).toThrow(DecodeError);
      expect(() => read(new ByteReader(Buffer.alloc(16, 0x7f), 3, { end: 3 }))).toThrow(/truncated: need \d+ bytes at offset 3, have 0/);
    }
    expect(() => new ByteReader(Buffer.from('0000000561', 'hex')).readString()).toThrow(/truncated/);
  });

  it("raises the format's own error when given one", () => {
    class FormatError extends Error {}
    const r = new ByteReader(Buffer.alloc(0), 0, { fail: (m) => new FormatError(m) });
    expect(() => r.readInt()).toThrow(FormatError);
    expect(r.error('bad tag')).toBeInstanceOf(FormatError);
  });
});

describe('frames and reuse', () => {
  it('patches the frame length', () => {
    const w = new ByteWriter(1);
    w.beginFrame().writeInt(7).writeString('abc');
    const frame = w.finishFrame();
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
    expect(frame.length).toBe(4 + 4 + 7);
  });

  it('take() copies, view() does not, reset() starts over', () => {
    const w = new ByteWriter();
    w.writeInt(1);
    const [view, copy] = [w.view(), w.take()];
    w.reset();
    w.writeInt(2);
    expect([view.readInt32BE(0), copy.readInt32BE(0), w.length]).toEqual([2, 1, 4]);
  });
});
