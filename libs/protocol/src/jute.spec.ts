import { ByteReader, ByteWriter } from '@coord/bytes';
import { juteReader, ProtocolError } from './index';

function roundTrip(write: (w: ByteWriter) => void): ByteReader {
  const w = new ByteWriter(1);
  write(w);
  return juteReader(Buffer.from(w.view()));
}

describe('jute primitives', () => {
  it('writes ints big-endian two\'s complement', () => {
    const w = new ByteWriter(2);
    w.writeInt(1).writeInt(-1).writeInt(0x7fffffff).writeInt(-0x80000000);
    expect(w.view().toString('hex')).toBe('00000001ffffffff7fffffff80000000');
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

  it('round-trips bigint longs, reading them unsigned', () => {
    for (const v of [0n, 1n, 0x7fff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0xffff_ffff_ffff_ffffn]) {
      expect(roundTrip((w) => w.writeLong(v)).readBigLong()).toBe(v);
    }
    expect(roundTrip((w) => w.writeLong(-2n)).readBigLong()).toBe(0xffff_ffff_ffff_fffen);
  });

  it('reads any non-zero boolean byte as true', () => {
    const r = juteReader(Buffer.from([0, 1, 2, 255]));
    expect([r.readBool(), r.readBool(), r.readBool(), r.readBool()]).toEqual([false, true, true, true]);
  });

  it('keeps null and empty buffers apart', () => {
    const r = roundTrip((w) => w.writeBuffer(null).writeBuffer(Buffer.alloc(0)).writeBuffer(Buffer.from([1, 2])));
    expect(r.readBuffer()).toBeNull();
    expect(r.readBuffer()).toEqual(Buffer.alloc(0));
    expect(r.readBuffer()).toEqual(Buffer.from([1, 2]));
  });

  it('round-trips UTF-8 strings and grows past its initial size', () => {
    const s = ['', 'a', 'ü€', '/𝄞', 'x'.repeat(10_000)];
    const r = roundTrip((w) => s.forEach((v) => w.writeString(v)));
    expect(s.map(() => r.readString())).toEqual(s);
    expect(r.remaining).toBe(0);
  });

  it('writes string lengths in bytes, not UTF-16 units', () => {
    const w = new ByteWriter();
    w.writeString('€');
    expect(w.view().toString('hex')).toBe('00000003e282ac');
  });

  it('reads a null string (-1) as the empty string', () => {
    expect(juteReader(Buffer.from('ffffffff', 'hex')).readString()).toBe('');
  });

  it('reads a null vector as empty', () => {
    expect(juteReader(Buffer.from('ffffffff', 'hex')).readStringVector()).toEqual([]);
  });

  it('round-trips vectors', () => {
    const r = roundTrip((w) => w.writeStringVector(['a', 'bc']).writeStringVector([]));
    expect(r.readStringVector()).toEqual(['a', 'bc']);
    expect(r.readStringVector()).toEqual([]);
  });

  it.each([
    ['length below -1', 'fffffffe'],
    ['length above the limit', '00000011'],
  ])('rejects a %s as ProtocolError(body)', (_what, hex) => {
    const r = juteReader(Buffer.from(hex + '00'.repeat(20), 'hex'), 0, 16);
    expect(() => r.readBuffer()).toThrow(ProtocolError);
  });

  it('throws ProtocolError(body) when a field runs past the end', () => {
    const reads: ((r: ByteReader) => unknown)[] = [
      (r) => r.readInt(),
      (r) => r.readLong(),
      (r) => r.readBigLong(),
      (r) => r.readBool(),
      (r) => r.readString(),
      (r) => r.readBuffer(),
    ];
    for (const read of reads) {
      let error: unknown;
      try {
        read(juteReader(Buffer.alloc(0)));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).kind).toBe('body');
    }
    expect(() => juteReader(Buffer.from('0000000561', 'hex')).readString()).toThrow(/truncated/);
  });

  it('patches the frame length', () => {
    const w = new ByteWriter(1);
    w.beginFrame().writeInt(7).writeString('abc');
    const frame = w.finishFrame();
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
    expect(frame.length).toBe(4 + 4 + 7);
  });
});
